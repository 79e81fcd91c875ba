"""Logistics alerts and exceptions (物流预警), delivery confirmation (签收) and carrier
performance: what happens when a parcel goes quiet, fails delivery, is lost, damaged or
sent back, and how a delivered order is closed."""
