package migrate

var RenderForTest = render
