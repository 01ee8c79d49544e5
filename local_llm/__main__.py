"""``python -m local_llm fetch [--model NAME]``: fetch and verify model weights into the cache."""

import argparse
import sys

from local_llm import weights


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m local_llm")
    sub = parser.add_subparsers(dest="command", required=True)
    fetch = sub.add_parser("fetch", help="download, assemble and verify a model")
    fetch.add_argument("--model", default=weights.DEFAULT_MODEL.name,
                       choices=sorted(weights.MODELS))
    args = parser.parse_args()
    try:
        print(weights.fetch(weights.MODELS[args.model]))
    except weights.WeightsError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
