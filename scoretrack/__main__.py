from scoretrack.cli import main

main()
