"""Web chat channel for the hotline: socket.io (rasa-webchat protocol), photo upload, citizen page.

Registered in ``credentials.yml`` as ``connectors.webchat.WebChatInput:``. See
``docs/webchat.md`` for the protocol, settings and limits.
"""

from .channel import WebChatInput

__all__ = ["WebChatInput"]
