"""Number formats where the programme's readers write numbers differently from
Django's defaults (settings.FORMAT_MODULE_PATH); the other settings of each
language are Django's own."""
