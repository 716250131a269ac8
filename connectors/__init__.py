"""Agency connectors: each partner agency's native files and APIs → canonical records.

Agencies keep sending what their own systems export (Chinese column headers, GBK CSV,
Excel with merged headers, JSON Lines, paged HTTP APIs), so the hub adapts to them
rather than asking every agency to produce canonical records first.
"""
