#!/usr/bin/env python
from scoretrack.cli import main

if __name__ == "__main__":
    main()
