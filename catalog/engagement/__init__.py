"""What a visitor sees of an entry's use and neighbours: use counts (views, downloads, row-API
calls), following an entry for update notices, and related entries."""
