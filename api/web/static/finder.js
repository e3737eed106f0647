// The finder's "use my location": fills the coordinates from the browser's
// location and sends the form. Without it (or without permission) the
// coordinates can be typed; the page works without this script.
(function () {
  'use strict';
  var button = document.getElementById('locate');
  if (!button || !navigator.geolocation) return;
  var status = document.getElementById('locate-status');
  var lat = document.getElementById('lat'), lon = document.getElementById('lon'), city = document.getElementById('city');
  button.hidden = false;
  button.addEventListener('click', function () {
    status.textContent = button.dataset.wait;
    navigator.geolocation.getCurrentPosition(function (p) {
      lat.value = p.coords.latitude.toFixed(5);
      lon.value = p.coords.longitude.toFixed(5);
      city.value = '';
      button.form.submit();
    }, function () {
      status.textContent = button.dataset.denied;
      document.getElementById('coords').open = true;
      lat.focus();
    }, {enableHighAccuracy: false, timeout: 15000, maximumAge: 300000});
  });
  // A city typed replaces a location found before.
  city.addEventListener('input', function () { lat.value = ''; lon.value = ''; });
})();
