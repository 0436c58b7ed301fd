"""The hand-written layer over the generated ``openai_api_client``.

It imports the generated code and never patches it: what the spec cannot say lives here.
"""

__all__: list[str] = []
