"""The order desk's review (审单): rules, classification, promise dates, the review queue."""
