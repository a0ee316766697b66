"""Device drivers: one small protocol per device kind, a class per platform. No contracts, no store."""
