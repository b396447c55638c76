"""The cooperation agreement in the product: agreements, targets, rate cards, exchange rates,
the balance by value and the annual report."""
