"""OrderFlow: order management and customer notifications for e-commerce merchants."""

__version__ = "0.1.0"
