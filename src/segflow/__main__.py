from segflow.cli import main

main()
