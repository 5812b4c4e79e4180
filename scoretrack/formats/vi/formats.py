# Vietnamese groups thousands with a dot ("69.037.494,29"); Django sets the dot but
# no grouping size, so it would not group at all.
NUMBER_GROUPING = 3
