"""Manual demo: `python -m ui.viewer FILE...` opens the order viewer on files from disk.

`--captura salida.png` renders it offscreen-friendly and saves a screenshot instead of waiting
for the window to be closed (e.g. QT_QPA_PLATFORM=offscreen for docs).
"""

from __future__ import annotations

import argparse
import mimetypes
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from ui.tasks import TaskRunner
from ui.viewer import OrderViewer, ViewerFile


def files_from_disk(paths: list[Path]) -> list[ViewerFile]:
    return [
        ViewerFile(
            adjunto_id=i,
            nombre=path.name,
            mime=mimetypes.guess_type(path.name)[0] or "application/octet-stream",
            load=path.read_bytes,
        )
        for i, path in enumerate(paths, start=1)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ui.viewer", description=__doc__)
    parser.add_argument("archivos", nargs="*", type=Path, help="JPG, PNG o PDF")
    parser.add_argument("--archivo", type=int, default=1, help="número de archivo a mostrar")
    parser.add_argument("--pagina", type=int, default=1, help="página del PDF")
    parser.add_argument(
        "--girar", type=int, default=0, help="giro inicial en grados (90, 180, 270)"
    )
    parser.add_argument("--tamano", default="1000x700", help="ANCHOxALTO de la ventana")
    parser.add_argument("--captura", type=Path, help="guardar una captura PNG y salir")
    args = parser.parse_args(argv)

    app = QApplication.instance() or QApplication(sys.argv)
    runner = TaskRunner()
    viewer = OrderViewer(runner)
    viewer.setWindowTitle("Visor de órdenes — demo")
    width, height = (int(v) for v in args.tamano.lower().split("x"))
    viewer.resize(width, height)
    files = files_from_disk(args.archivos)
    viewer.show()
    index = args.archivo - 1
    rotations = {files[index].adjunto_id: args.girar} if args.girar and files else {}
    viewer.set_files(files, index=index, page=args.pagina - 1, rotations=rotations)

    if args.captura is not None:

        def capture_when_ready() -> None:
            if runner.is_idle() and (viewer.displayed_pixmap() is not None or viewer.message()):
                viewer.grab().save(str(args.captura))
                print(f"captura guardada en {args.captura}: {viewer.status_text()}")
                app.quit()
            else:
                QTimer.singleShot(50, capture_when_ready)

        QTimer.singleShot(0, capture_when_ready)
    code = int(app.exec())
    runner.shutdown()
    return code


if __name__ == "__main__":
    sys.exit(main())
