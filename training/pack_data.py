"""Pack the FER2013 folders into one ``.npz`` of their JPEG bytes (no re-encoding), to move the data set to a training
machine that does not have it; ``--data PACK.npz`` reads it wherever a folder is accepted.

    /usr/bin/python3 -m training.pack_data --data ../shared/data/fer2013 --output /tmp/fer2013.npz
"""
import argparse
import os

from training import data


def main(argv=None):
    p = argparse.ArgumentParser(description="fer-edge: pack FER2013 splits into one .npz")
    p.add_argument("--data", default="../shared/data/fer2013", help="folder with <split>/<class>/*.jpg")
    p.add_argument("--splits", nargs="+", default=["train", "val"])
    p.add_argument("--output", required=True)
    a = p.parse_args(argv)
    data.pack_folder(a.data, a.splits, a.output)
    print(f"wrote {a.output}: {', '.join(a.splits)}, {os.path.getsize(a.output) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
