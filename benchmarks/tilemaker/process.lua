-- tilemaker (Debian 2.2) profile for benchmarks/basemap.py: the layers of the basemap
-- schema (docs: /work/notes/basemap-schema.md, issue 20), so both builders make the same map.

-- Debian's tilemaker stops at zoom 16 (built without FAT_TILE_INDEX), so the comparison
-- covers zooms 12..16 and leaves out the house numbers (zoom 17+ in the schema).
node_keys = { "place" }

local roads = { motorway="motorway", motorway_link="motorway", trunk="trunk", trunk_link="trunk",
  primary="primary", primary_link="primary", secondary="secondary", secondary_link="secondary",
  tertiary="tertiary", tertiary_link="tertiary", unclassified="unclassified", road="unclassified",
  residential="residential", living_street="living_street", service="service",
  pedestrian="pedestrian", track="track" }
local paths = { footway=true, cycleway=true, path=true, steps=true, bridleway=true }
local rails = { rail=true, light_rail=true, tram=true, subway=true, narrow_gauge=true }
local waterways = { river=true, stream=true, canal=true, ditch=true, drain=true }
local places = { city=true, town=true, suburb=true, quarter=true, neighbourhood=true,
  village=true, hamlet=true, locality=true }
local green = { park=true, garden=true, playground=true, pitch=true, recreation_ground=true,
  cemetery=true, grass=true, meadow=true, allotments=true, village_green=true }

local function name_of(obj)
  local de = obj:Find("name:de")
  if de ~= "" then return de end
  return obj:Find("name")
end

function node_function(node)
  local place = node:Find("place")
  if places[place] and name_of(node) ~= "" then
    node:Layer("places", false)
    node:Attribute("kind", place)
    node:Attribute("name", name_of(node))
  end
end

function way_function(way)
  local highway, railway, waterway = way:Find("highway"), way:Find("railway"), way:Find("waterway")
  local building, landuse = way:Find("building"), way:Find("landuse")
  local natural, leisure = way:Find("natural"), way:Find("leisure")
  local closed = way:IsClosed()
  if roads[highway] and way:Find("area") ~= "yes" then
    way:Layer("roads", false)
    way:Attribute("kind", roads[highway])
    if name_of(way) ~= "" then way:Attribute("name", name_of(way)) end
    if way:Find("ref") ~= "" then way:Attribute("ref", way:Find("ref")) end
    if roads[highway] == "service" or roads[highway] == "track" then way:MinZoom(14) end
  elseif paths[highway] then
    way:Layer("paths", false)
    way:Attribute("kind", highway)
    if name_of(way) ~= "" then way:Attribute("name", name_of(way)) end
  elseif rails[railway] then
    way:Layer("rail", false)
    way:Attribute("kind", railway)
  elseif waterways[waterway] then
    way:Layer("waterways", false)
    way:Attribute("kind", waterway)
    if name_of(way) ~= "" then way:Attribute("name", name_of(way)) end
  end
  if not closed then return end
  if building ~= "" and building ~= "no" then
    way:Layer("buildings", true)
  elseif natural == "water" or waterway == "riverbank" or landuse == "basin" or landuse == "reservoir" then
    way:Layer("water", true)
    way:Attribute("kind", "water")
  elseif landuse == "forest" or natural == "wood" then
    way:Layer("forest", true)
    way:Attribute("kind", landuse == "forest" and "forest" or "wood")
  elseif green[leisure] or green[landuse] then
    way:Layer("green", true)
    way:Attribute("kind", leisure ~= "" and leisure or landuse)
  elseif landuse ~= "" then
    way:Layer("landuse", true)
    way:Attribute("kind", landuse)
  end
end
