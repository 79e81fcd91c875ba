"""Carrier tracking: adapters (simulated, Kuaidi100, AfterShip), normalised events, ingest,
ETA and pickup (揽收) confirmation."""
