"""segflow: send product analytics from chatbot conversations to Twilio Segment."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("segflow")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
