"""Access control and the access log: who may ask what, and a leaf for every request."""
