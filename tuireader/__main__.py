"""``python -m tuireader`` runs the command-line interface."""

from tuireader.cli import main

if __name__ == "__main__":
    main()
