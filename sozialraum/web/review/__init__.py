"""Team review: the review queue with map, review actions, starting and closing meetings."""
