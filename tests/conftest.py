import os

# Nothing may reach a model hub from the tests (a hub request otherwise hangs before failing).
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

