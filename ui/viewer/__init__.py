"""The order viewer: photos and PDF pages of a request's attachments (DESIGN §4.2).

`OrderViewer` is the widget; `ViewerFile` describes one attachment, whose bytes are fetched by
its `load` callable on the task runner, never on the GUI thread.
"""

from ui.viewer.cache import ImageCache
from ui.viewer.cold_open import install_cold_open
from ui.viewer.files import ViewerFile
from ui.viewer.widget import OrderViewer

__all__ = ["ImageCache", "OrderViewer", "ViewerFile", "install_cold_open"]
