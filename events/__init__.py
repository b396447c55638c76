"""Joint Events: partner organisations plan, publish and run joint events together."""
