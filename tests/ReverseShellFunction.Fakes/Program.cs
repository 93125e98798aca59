// Composed once the fakes exist: see the Storage/ and GoogleApis/ folders.
return 0;
