"""Events, the partners involved in them and action programmes: the joint workflow."""
