"""What the reporter's PWA keeps offline besides its own files: the public manual (MAN-1).

Served outside /api so that the service worker may cache it: the rule is that no API response is ever kept on
the device, and this document holds nothing but the published manual.
"""

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.api.deps import AppSettings
from app.schemas.manual import Lang
from app.services import manual

router = APIRouter(include_in_schema=False)


@router.get("/offline/manual.{lang}.json")
async def offline_manual(lang: Lang, settings: AppSettings) -> JSONResponse:
    """The public manual in one language (victim, witness, manager, hr, contractor and the emergency numbers)."""
    return JSONResponse(manual.offline_manual(lang, settings), headers={"Cache-Control": "no-cache"})
