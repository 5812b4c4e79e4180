# The programme's Spanish-speaking countries (Bolivia, Colombia...) group thousands
# with a dot ("69.037.494,29"), not Django's non-breaking space.
THOUSAND_SEPARATOR = "."
