"""A bare Django hello-world (no apps, no middleware, one view): what ``bench/run.py`` measures
every public path against, under the same server. Serve it as ``bench.hello:application``."""

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path

settings.configure(DEBUG=False, SECRET_KEY="bench-hello-world-not-a-secret", ROOT_URLCONF=__name__,
                   ALLOWED_HOSTS=["*"], INSTALLED_APPS=[], MIDDLEWARE=[], USE_TZ=True)


def hello(request):
    return HttpResponse("Hello, world!", content_type="text/plain")


urlpatterns = [path("", hello)]
application = get_wsgi_application()
