"""One module per input format. Each returns rows plus problems (``domain.problems.Parsed``)."""
