"""Free each request's objects when its answer is ready, not in a collector pause.

Django and DRF tie a request's objects into reference cycles:

- the request's ``auser`` (a partial over the request) and, in the admin, its lazy
  ``user`` (a closure over the request), and its messages storage, which holds the
  request;
- DRF's response ``renderer_context`` holds the view, the request and the response;
  the view holds the request, the response and its paginator (with the page's
  rows); DRF's request ``parser_context`` holds that request;
- a serializer and its fields hold each other (``fields``, each field's
  ``parent``), and so do a serializer and its output (``_data``, whose
  ``serializer`` is the response's data), with the page of model instances it was
  given.

Objects in a cycle outlive the request until Python's cyclic collector finds them.
With several requests in flight per worker, most of them are old enough by then to
wait for a full collection, and under load each gunicorn worker then stopped every
few seconds for 100-400 ms to free tens of thousands of dicts, lists and UUIDs.
Every request in that worker stalled with it; those pauses were most of the API's
p99 (see bench/RESULTS.md, API).

Once every other middleware has handled the response, nothing reads those links
again, so this middleware (the outermost) cuts them, and reference counting frees
a request's objects as soon as it returns. ``response.data`` stays, for the test
client and anything else that reads it afterwards. A streaming response may still
need its request while its body is produced, so it is left alone.
"""

from common.api.serializers import StrictInput

_REQUEST_CYCLES = ("auser", "user", "_messages")


def release_request_objects(request, response) -> None:
    """Cut the links that make a finished request and its response a cycle."""
    if getattr(response, "streaming", False):
        return
    context = getattr(response, "renderer_context", None)
    if context:
        view = context.get("view")
        drf_request = context.get("request")
        response.renderer_context = {}
        if view is not None:
            vars(view).clear()  # request, response, paginator, kwargs: all spent
        if drf_request is not None:
            drf_request.parser_context = {}
        for data in _serialized(getattr(response, "data", None)):
            _unbind(data.serializer)
    for name in _REQUEST_CYCLES:
        vars(request).pop(name, None)


def _serialized(data) -> list:
    """The serializers' outputs in an answer: the data itself or a page's results."""
    found = [data] if hasattr(data, "serializer") else []
    if isinstance(data, dict):
        found += [value for value in data.values() if hasattr(value, "serializer")]
    return found


def _unbind(serializer) -> None:
    """Cut a serializer's links to its fields, its list's child and its output, and back.

    An output serializer's fields are its own (DRF copies the declared ones for each
    instance). Input serializers share a nested list's child between instances (see
    ``StrictInput``), so they are left alone: they drop their fields once validated.
    """
    if isinstance(serializer, StrictInput):
        return
    vars(serializer).pop("_data", None)  # its output, which names the serializer back
    vars(serializer).pop("parent", None)
    child = vars(serializer).pop("child", None)
    if child is not None:
        _unbind(child)
    for field in (vars(serializer).pop("fields", None) or {}).values():
        _unbind(field)


class ReleaseRequestObjectsMiddleware:
    """Calls :func:`release_request_objects` when the response leaves the app."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        release_request_objects(request, response)
        return response
