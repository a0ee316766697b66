"""Provisioning: allocation, plans, the journaled apply, the devices, service changes, servers."""
