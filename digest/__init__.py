"""digest: a static-site generator for news digests."""

__version__ = "0.1.0"
__url__ = "https://github.com/digest-ssg/digest"
