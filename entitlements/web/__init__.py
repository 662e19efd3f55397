"""``entitlements serve``: a local web page and HTTP API over the same engine as the console command.

Imported only by the ``serve`` command (fastapi, uvicorn, jinja2 and python-multipart are the
optional extra ``entitlements[web]``), so ``entitlements --help`` starts as fast as before."""
