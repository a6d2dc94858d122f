/* The search page's progressive enhancements. Everything here is optional: without JavaScript the
   form submits with its buttons, the filters open from their <details>, and the list is the map's
   text equivalent. Served from this site, so the Content-Security-Policy (script-src 'self') holds. */
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  if (!form) { return; }

  // Sort applies on change; the "Sort" button is only for browsers without JavaScript.
  document.querySelectorAll("[data-submit-on-change]").forEach(function (select) {
    select.addEventListener("change", function () { form.requestSubmit ? form.requestSubmit() : form.submit(); });
  });
  document.querySelectorAll("[data-hidden-with-script]").forEach(function (element) { element.hidden = true; });

  // Wide screens show the filters beside the results; phones keep them behind "Filters (n)".
  var filters = document.querySelector("details[data-open-when-wide]");
  if (filters && window.matchMedia("(min-width: 768px)").matches) { filters.open = true; }
  form.addEventListener("submit", function () {
    if (filters && !window.matchMedia("(min-width: 768px)").matches) { filters.open = false; }
  });

  // "Use my location": the browser's position into the hidden lat/lon fields, then search.
  var lat = form.elements.namedItem("lat"), lon = form.elements.namedItem("lon");
  var city = form.elements.namedItem("city");
  var button = document.querySelector("[data-use-location]");
  var status = document.querySelector("[data-location-status]");
  if (city && lat && lon) {
    city.addEventListener("input", function () { lat.value = ""; lon.value = ""; });
    if (lat.value && lon.value && !city.value) { city.placeholder = "Your location"; }
  }
  if (button && navigator.geolocation && lat && lon) {
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = "Finding your location…";
      navigator.geolocation.getCurrentPosition(function (position) {
        lat.value = position.coords.latitude.toFixed(4);
        lon.value = position.coords.longitude.toFixed(4);
        if (city) { city.value = ""; }
        status.textContent = "Searching near your location…";
        form.submit();
      }, function () {
        status.textContent = "Your browser did not share your location. Type a city instead.";
      }, { timeout: 10000, maximumAge: 600000 });
    });
  }

  // The map: markers for this page of results, each linking to the profile.
  var mapElement = document.getElementById("search-map");
  var data = document.getElementById("search-map-markers");
  if (!mapElement || !data || typeof L === "undefined") { return; }
  var markers = JSON.parse(data.textContent);
  if (!markers.length) { return; }
  mapElement.classList.add("is-ready");
  var map = L.map(mapElement, { scrollWheelZoom: false, attributionControl: true, keyboard: false });
  // The map is hidden from assistive technology (the list is its text equivalent), so nothing in
  // it may take keyboard focus either: zoom buttons, attribution and popup links are mouse-only.
  function unfocusable(root) {
    root.querySelectorAll("a, button, [tabindex]").forEach(function (element) { element.setAttribute("tabindex", "-1"); });
  }
  map.on("popupopen", function (event) { unfocusable(event.popup.getElement()); });
  var tiles = mapElement.getAttribute("data-tile-url");
  if (tiles) {
    L.tileLayer(tiles, { maxZoom: 18, attribution: mapElement.getAttribute("data-tile-attribution") || "" }).addTo(map);
  }
  var bounds = [];
  markers.forEach(function (marker) {
    var popup = document.createElement("div");
    var link = document.createElement("a");
    link.href = marker.url;
    link.textContent = marker.name;
    var score = document.createElement("div");
    score.textContent = "Score " + marker.score + "/100";
    popup.appendChild(link);
    popup.appendChild(score);
    L.marker([marker.lat, marker.lon], { title: marker.name, alt: marker.name, keyboard: false })
      .bindPopup(popup).addTo(map);
    bounds.push([marker.lat, marker.lon]);
  });
  map.fitBounds(bounds, { padding: [30, 30], maxZoom: 13 });
  unfocusable(mapElement);
})();
