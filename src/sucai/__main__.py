from sucai.cli import main

if __name__ == "__main__":  # a spawned ingest worker imports this module too: it must not run the CLI
    main()
