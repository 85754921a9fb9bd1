# Placeholder: the pytest plugin for service markers is being written.
