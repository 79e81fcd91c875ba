"""Every table, imported once so metadata (and Alembic) sees them all."""

from orderflow import circuits, outbox
from orderflow.aftersales import models as aftersales_models
from orderflow.auth import models as auth_models
from orderflow.catalog import models as catalog_models
from orderflow.channels import models as channel_models
from orderflow.customers import lookups as customer_lookups  # noqa: F401
from orderflow.customers import models as customer_models
from orderflow.db import Base
from orderflow.fulfilment import models as fulfilment_models
from orderflow.inventory import models as inventory_models
from orderflow.logistics import models as logistics_models
from orderflow.notify import models as notify_models
from orderflow.orders import models as order_models
from orderflow.orders import relations as order_relations
from orderflow.payments import models as payment_models
from orderflow.review import models as review_models
from orderflow.shipping import models as shipping_models
from orderflow.tracking import models as tracking_models

__all__ = [
    "Base",
    "aftersales_models",
    "auth_models",
    "catalog_models",
    "channel_models",
    "circuits",
    "customer_models",
    "fulfilment_models",
    "inventory_models",
    "logistics_models",
    "notify_models",
    "order_models",
    "order_relations",
    "outbox",
    "payment_models",
    "review_models",
    "shipping_models",
    "tracking_models",
]

from orderflow.orders import invariants as _invariants  # noqa: F401  (registers the flush check)
