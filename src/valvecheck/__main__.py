from valvecheck.cli import main

main()
