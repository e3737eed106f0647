package migrate

var RenderForTest = render

var UpToForTest = upTo
