# Amounts in Chinese are grouped by thousands with a comma ("69,037,494.29");
# Django's default does not group them at all.
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
