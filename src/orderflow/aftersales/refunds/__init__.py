"""Refunds: money back as its own record (pending -> succeeded | failed), paid through a
provider adapter (manual, simulated, Alipay `alipay.trade.refund`)."""
