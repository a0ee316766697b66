"""The site and its inventory: init and sync, racks, holds, elevations."""
