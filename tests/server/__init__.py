"""A real, stateful OpenAI-like test server on 127.0.0.1, validating every exchange against spec/openapi.yaml.

``python -m tests.server`` starts it alone (serving under ``/v1``); tests start it in a thread with
:func:`tests.server.running`.
"""

from tests.server.app import ServerConfig, create_app
from tests.server.faults import Fault
from tests.server.run import RunningServer, running

__all__ = ["Fault", "RunningServer", "ServerConfig", "create_app", "running"]
