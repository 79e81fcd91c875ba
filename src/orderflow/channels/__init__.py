"""Channel intake: signed order webhooks from shop platforms (Shopify, WooCommerce)."""
