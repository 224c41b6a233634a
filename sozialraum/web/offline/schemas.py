"""API models of "Für unterwegs speichern": what the phone stores for a walk or a district."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from sozialraum.web.schemas import Answer, Query, rule


class OfflineQuery(Query):
    """Which walk or district to store (exactly one of them)."""

    walk: str | None = Field(None, description="walk id (or district=)")
    district: str | None = Field(None, description="district id (or walk=)")

    @model_validator(mode="after")
    def _one_of(self) -> OfflineQuery:
        if (self.walk or None) is None and (self.district or None) is None:
            raise rule("walk, district: bitte genau eines angeben")
        if self.walk and self.district:
            raise rule("walk, district: bitte nur eines angeben, nicht beide")
        return self


class DataUrl(Answer):
    """An API answer to store."""

    url: str = Field(description="the URL to fetch")
    alias: str | None = Field(None, description="another URL the same answer is kept under")


class OfflineBundle(Answer):
    """The URLs to store (each fetched with the user's own session)."""

    key: str = Field(description="key of the stored bundle (area/rundgang/id or area/bezirk/id)")
    kind: Literal["walk", "district"] = Field(description="what is stored")
    area: str = Field(description="area name")
    title: str = Field(description="German title of the bundle")
    district: str = Field(description="district id")
    pages: list[str] = Field(description="URLs of HTML pages")
    data: list[DataUrl] = Field(description="API answers")
    tiles: list[str] = Field(description="URLs of basemap tiles, zoom 14-18")
    keep_days: int = Field(description="days the stored data is kept")
    user: str = Field(description="who stored it (user name)")
