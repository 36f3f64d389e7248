"""The HTTP interface: REST API, kiosk pages and console."""
