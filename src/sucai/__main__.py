from sucai.cli import main

main()
