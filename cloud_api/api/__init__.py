"""What every router shares: dependencies, input types, and the one error renderer."""
