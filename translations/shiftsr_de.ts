<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>DistilPlan</name>
    <message>
        <location filename="../ui/src/gui/distil_plan.cpp" line="+343"/>
        <source> (fine-tuned teacher)</source>
        <translation> (nachtrainiertes Lehrermodell)</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <location filename="../app/gui/main.cpp" line="+89"/>
        <source>Diffusion image super-resolution x4: multi-step and one-step models compared side by side.</source>
        <translation>Diffusionsbasierte Bild-Superauflösung x4: Mehrschritt- und Einschrittmodelle im direkten Vergleich.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Image to open (JPEG, PNG, TIFF, WebP, BMP).</source>
        <translation>Zu öffnendes Bild (JPEG, PNG, TIFF, WebP, BMP).</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Compare FILE, save screenshots in DIR, quit.</source>
        <translation>FILE vergleichen, Bildschirmfotos in DIR speichern, beenden.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Open the wizard that distils a one-step model from the photos in FOLDER (repeat for more folders).</source>
        <translation>Den Assistenten öffnen, der aus den Fotos in FOLDER ein Ein-Schritt-Modell destilliert (für weitere Ordner wiederholen).</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Upscale FILE as soon as it is open (without FILE: ask for one).</source>
        <translation>DATEI hochskalieren, sobald sie geöffnet ist (ohne DATEI: danach fragen).</translation>
    </message>
</context>
<context>
    <name>shiftsr::gui::BatchOptionsBox</name>
    <message>
        <location filename="../ui/src/gui/batch_options_box.cpp" line="+28"/>
        <source>Options</source>
        <translation>Optionen</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Model default</source>
        <translation>Modellstandard</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sampling steps; 1 runs a single network call</source>
        <translation>Sampling-Schritte; bei 1 wird das Netz nur einmal aufgerufen</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Noise seed: the same seed gives the same result</source>
        <translation>Rausch-Seed: Derselbe Seed liefert dasselbe Ergebnis</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Browse…</source>
        <translation>Durch&amp;suchen…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Output file name; tokens: %1</source>
        <translation>Name der Ausgabedatei; Platzhalter: %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Same as input</source>
        <translation>Wie Eingabe</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>PNG</source>
        <translation>PNG</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>JPEG</source>
        <translation>JPEG</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>TIFF</source>
        <translation>TIFF</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>WebP</source>
        <translation>WebP</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>BMP</source>
        <translation>BMP</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Skip images whose output exists</source>
        <translation>Bilder mit vorhandener Ausgabe ü&amp;berspringen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Include s&amp;ubfolders</source>
        <translation>&amp;Unterordner einbeziehen</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Model:</source>
        <translation>Modell:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Steps:</source>
        <translation>Schritte:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Seed:</source>
        <translation>Seed:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Output folder:</source>
        <translation>Ausgabeordner:</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>File name:</source>
        <translation>Dateiname:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Format:</source>
        <translation>Format:</translation>
    </message>
    <message>
        <location line="+48"/>
        <source>The model %1 is not available; the batch uses %2.</source>
        <translation>Das Modell %1 ist nicht verfügbar; der Stapel verwendet %2.</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>%1 (default)</source>
        <translation>%1 (Standard)</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Choose the Output Folder</source>
        <translation>Ausgabeordner wählen</translation>
    </message>
</context>
<context>
    <name>shiftsr::gui::BatchQueue</name>
    <message>
        <location filename="../ui/src/gui/batch_queue.cpp" line="+117"/>
        <source>Batch Upscale</source>
        <translation>Stapelverarbeitung</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Add &amp;Files…</source>
        <translation>Dateien &amp;hinzufügen…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Add F&amp;older…</source>
        <translation>&amp;Ordner hinzufügen…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Leave the selected images out of the batch</source>
        <translation>Die ausgewählten Bilder aus dem Stapel entfernen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>C&amp;lear</source>
        <translation>&amp;Leeren</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Open File</source>
        <translation>Datei öffnen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open Containing Folder</source>
        <translation>Enthaltenden Ordner öffnen</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>S&amp;tart</source>
        <translation>S&amp;tarten</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+355"/>
        <source>&amp;Pause</source>
        <translation>&amp;Pausieren</translation>
    </message>
    <message>
        <location line="-353"/>
        <source>&amp;Cancel</source>
        <translation>&amp;Abbrechen</translation>
    </message>
    <message>
        <location line="-51"/>
        <source>Re&amp;move</source>
        <translation>&amp;Entfernen</translation>
    </message>
    <message>
        <location line="+53"/>
        <source>Open F&amp;ile</source>
        <translation>Datei ö&amp;ffnen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open Fol&amp;der</source>
        <translation>Or&amp;dner öffnen</translation>
    </message>
    <message>
        <location line="+82"/>
        <source>Add Images</source>
        <translation>Bilder hinzufügen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Images (%1);;All files (*)</source>
        <translation>Bilder (%1);;Alle Dateien (*)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Add a Folder of Images</source>
        <translation>Ordner mit Bildern hinzufügen</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Not found: %1</source>
        <translation>Nicht gefunden: %1</translation>
    </message>
    <message>
        <location line="+58"/>
        <source>choose an output folder</source>
        <translation>wählen Sie einen Ausgabeordner</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Cannot plan the batch: %1</source>
        <translation>Der Stapel kann nicht geplant werden: %1</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Add image files or folders first.</source>
        <translation>Fügen Sie zuerst Bilddateien oder Ordner hinzu.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Choose an output folder first.</source>
        <translation>Wählen Sie zuerst einen Ausgabeordner.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>There is no usable model; import one in the model manager.</source>
        <translation>Es ist kein verwendbares Modell vorhanden; importieren Sie eines in der Modellverwaltung.</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Cannot start the batch: %1</source>
        <translation>Der Stapel kann nicht gestartet werden: %1</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>Planning…</source>
        <translation>Planung läuft…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Add image files or folders, or drop them here.</source>
        <translation>Fügen Sie Bilddateien oder Ordner hinzu oder ziehen Sie sie hierher.</translation>
    </message>
    <message numerus="yes">
        <location line="+4"/>
        <source>%n image(s) planned.</source>
        <translation>
            <numerusform>%n Bild geplant.</numerusform>
            <numerusform>%n Bilder geplant.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+8"/>
        <source>%1 done, %2 skipped, %3 failed, %4 cancelled in %5.</source>
        <translation>%1 fertig, %2 übersprungen, %3 fehlgeschlagen, %4 abgebrochen in %5.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Planning and loading the model…</source>
        <translation>Planung läuft, Modell wird geladen…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 of %2 images finished, %3 failed; about %4 left.</source>
        <translation>%1 von %2 Bildern fertig, %3 fehlgeschlagen; noch etwa %4.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 of %2 images finished, %3 failed.</source>
        <translation>%1 von %2 Bildern fertig, %3 fehlgeschlagen.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Pausing after the current image…</source>
        <translation>Wird nach dem aktuellen Bild angehalten…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Paused after %1 of %2 images.</source>
        <translation>Angehalten nach %1 von %2 Bildern.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Cancelling…</source>
        <translation>Wird abgebrochen…</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>&amp;Resume</source>
        <translation>Fo&amp;rtsetzen</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>Could not open %1.</source>
        <translation>%1 konnte nicht geöffnet werden.</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Could not open %1 in the file manager.</source>
        <translation>%1 konnte nicht in der Dateiverwaltung geöffnet werden.</translation>
    </message>
</context>
<context>
    <name>shiftsr::gui::BatchTableModel</name>
    <message>
        <location filename="../ui/src/gui/batch_table_model.cpp" line="+55"/>
        <source>Queued</source>
        <translation>In Warteschlange</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Running: %1 %</source>
        <translation>Läuft: %1 %</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Done in %1</source>
        <translation>Fertig in %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Skipped: the output exists</source>
        <translation>Übersprungen: Ausgabe ist bereits vorhanden</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Failed: %1</source>
        <translation>Fehlgeschlagen: %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cancelled</source>
        <translation>Abgebrochen</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>%1 (warning: %2)</source>
        <translation>%1 (Warnung: %2)</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Input</source>
        <translation>Eingabe</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Output</source>
        <translation>Ausgabe</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Status</source>
        <translation>Status</translation>
    </message>
</context>
<context>
    <name>shiftsr::gui::BatchWorker</name>
    <message>
        <location filename="../ui/src/gui/batch_worker.cpp" line="+44"/>
        <source>the output folder %1 has an image file name; create it first or choose another folder</source>
        <translation>der Ausgabeordner %1 hat den Namen einer Bilddatei; legen Sie ihn zuerst an oder wählen Sie einen anderen Ordner</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>cannot load the model %1: %2</source>
        <translation>das Modell %1 kann nicht geladen werden: %2</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>cannot create the output folder %1</source>
        <translation>der Ausgabeordner %1 kann nicht angelegt werden</translation>
    </message>
</context>
<context>
    <name>shiftsr::gui::BudgetPage</name>
    <message>
        <location filename="../ui/src/gui/distil_pages_setup.cpp" line="+1165"/>
        <source>Budget</source>
        <translation>Aufwand</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A few steps of the real job on this computer tell how long the run takes and how much disk it needs.</source>
        <translation>Einige Schritte des echten Auftrags auf diesem Rechner zeigen, wie lange der Lauf dauert und wie viel Speicherplatz er braucht.</translation>
    </message>
    <message>
        <location line="+6"/>
        <location line="+272"/>
        <location line="+31"/>
        <location line="+28"/>
        <location line="+77"/>
        <source>&amp;Measure Again</source>
        <translation>Erneut &amp;messen</translation>
    </message>
    <message>
        <location line="-397"/>
        <source>R&amp;un folder:</source>
        <translation>&amp;Laufordner:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>C&amp;hange…</source>
        <translation>Ä&amp;ndern…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The run&apos;s photos (as links), checkpoints, samples, log and job.json go here; shiftsr-train can run it on its own.</source>
        <translation>Hier werden die Fotos des Laufs (als Verknüpfungen), Checkpoints, Beispielbilder, das Protokoll und job.json abgelegt; shiftsr-train kann den Lauf auch eigenständig ausführen.</translation>
    </message>
    <message>
        <location line="+24"/>
        <location line="+32"/>
        <source>The trial was stopped.</source>
        <translation>Der Probelauf wurde angehalten.</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Folder for the Run</source>
        <translation>Ordner für den Lauf</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Cannot create a folder for the trial in %1: %2</source>
        <translation>In %1 kann kein Ordner für den Probelauf angelegt werden: %2</translation>
    </message>
    <message>
        <location line="+90"/>
        <source>Measuring stage %1 of %2 (%3): a few steps on this computer…</source>
        <translation>Phase %1 von %2 (%3) wird gemessen: einige Schritte auf diesem Rechner…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Measuring: a few steps of the job on this computer…</source>
        <translation>Messung: einige Schritte des Auftrags auf diesem Rechner…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Measuring the teacher&apos;s fine-tuning…</source>
        <translation>Das Nachtraining des Lehrermodells wird gemessen…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stop &amp;Measuring</source>
        <translation>&amp;Messung anhalten</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>the trainer stopped before it had taken %1 steps</source>
        <translation>das Trainingsprogramm endete, bevor es %1 Schritte ausgeführt hatte</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>The trial failed: %1. Go Back to change the job, or measure again.</source>
        <translation>Der Probelauf ist fehlgeschlagen: %1. Ändern Sie den Auftrag mit „Zurück“ oder messen Sie erneut.</translation>
    </message>
    <message numerus="yes">
        <location line="+47"/>
        <source>%1 for %n step(s)</source>
        <translation>
            <numerusform>%1 für %n Schritt</numerusform>
            <numerusform>%1 für %n Schritte</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+4"/>
        <source>%1 in all: %2 to fine-tune the teacher (%n step(s)), then %3 to distil</source>
        <translation>
            <numerusform>%1 insgesamt: %2 für das Nachtraining des Lehrermodells (%n Schritt), dann %3 für die Destillation</numerusform>
            <numerusform>%1 insgesamt: %2 für das Nachtraining des Lehrermodells (%n Schritte), dann %3 für die Destillation</numerusform>
        </translation>
    </message>
    <message>
        <location line="+7"/>
        <source>%1 s per step, measured on this computer by %2 steps of the job (start-up not counted).</source>
        <translation>%1 s pro Schritt, auf diesem Rechner mit %2 Schritten des Auftrags gemessen (ohne die Startzeit).</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Disk needed: about %1 (measured: one checkpoint of the trial is %2, the run keeps %3 and writes one more before it drops the oldest; plus %4 validation sheets, the student package and the models written into the run folder).</source>
        <translation>Benötigter Speicherplatz: etwa %1 (gemessen: Ein Checkpoint des Probelaufs belegt %2, der Lauf behält %3 und schreibt einen weiteren, bevor er den ältesten löscht; dazu %4 Validierungsbilder, das Paket des Schülermodells und die in den Laufordner geschriebenen Modelle).</translation>
    </message>
    <message numerus="yes">
        <location line="+35"/>
        <source>%1 %2 (%n step(s))</source>
        <translation>
            <numerusform>%1 %2 (%n Schritt)</numerusform>
            <numerusform>%1 %2 (%n Schritte)</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 %2 s</source>
        <translation>%1 %2 s</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>%1 in all, one stage after another: %2</source>
        <translation>%1 insgesamt, eine Phase nach der anderen: %2</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Seconds per step, measured on this computer by %1 steps of each stage (start-up not counted): %2.</source>
        <translation>Sekunden pro Schritt, auf diesem Rechner mit %1 Schritten jeder Phase gemessen (ohne die Startzeit): %2.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Disk needed: about %1 (measured: each stage&apos;s checkpoint and package in the trial; every stage keeps %2 checkpoints and writes one more before it drops the oldest, plus its validation sheets and its package).</source>
        <translation>Benötigter Speicherplatz: etwa %1 (gemessen: Checkpoint und Paket jeder Phase im Probelauf; jede Phase behält %2 Checkpoints und schreibt einen weiteren, bevor sie den ältesten löscht; dazu ihre Validierungsbilder und ihr Paket).</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Next needs a successful trial: Measure Again once its cause is fixed.</source>
        <translation>„Weiter“ erfordert einen erfolgreichen Probelauf: Beheben Sie die Ursache und wählen Sie dann „Erneut messen“.</translation>
    </message>
</context>
<context>
    <name>shiftsr::gui::DistilPlan</name>
    <message>
        <location filename="../ui/src/gui/distil_plan.cpp" line="-258"/>
        <source>Cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>The model %1 is no longer there.</source>
        <translation>Das Modell %1 ist nicht mehr vorhanden.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>This build has no model %1.</source>
        <translation>Diese Programmversion enthält kein Modell %1.</translation>
    </message>
    <message>
        <location line="+14"/>
        <location line="+667"/>
        <source>Cannot create %1.</source>
        <translation>%1 kann nicht angelegt werden.</translation>
    </message>
    <message>
        <location line="-656"/>
        <source>Cannot link %1 into %2.</source>
        <translation>%1 kann nicht in %2 verknüpft werden.</translation>
    </message>
    <message>
        <location line="+67"/>
        <source>duplicate of %1</source>
        <translation>Duplikat von %1</translation>
    </message>
    <message>
        <location line="+169"/>
        <source>autoencoder</source>
        <translation>Autoencoder</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>x2 teacher</source>
        <translation>x2-Lehrermodell</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>x4 student</source>
        <translation>x4-Schülermodell</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>decoder</source>
        <translation>Decoder</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>training the autoencoder (the latent codec)</source>
        <translation>Training des Autoencoders (des latenten Codecs)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>training the x2 teacher</source>
        <translation>Training des x2-Lehrermodells</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>distilling the x4 one-step student from the teacher</source>
        <translation>Destillation des x4-Ein-Schritt-Schülermodells aus dem Lehrermodell</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>fine-tuning the decoder on the student&apos;s one-step outputs</source>
        <translation>Nachtraining des Decoders mit den Ein-Schritt-Ergebnissen des Schülermodells</translation>
    </message>
    <message>
        <location line="+110"/>
        <source>The autoencoder %1 is not there.</source>
        <translation>Der Autoencoder %1 ist nicht vorhanden.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 is not an autoencoder package (the autoencoder stage of a YONOS-SR run writes one).</source>
        <translation>%1 ist kein Autoencoder-Paket (die Autoencoder-Phase eines YONOS-SR-Laufs schreibt eines).</translation>
    </message>
    <message>
        <location line="+70"/>
        <source>Choose a folder for the run.</source>
        <translation>Wählen Sie einen Ordner für den Lauf.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 already holds a training run: choose another folder (or open that run from Tools → Distil a One-Step Model…).</source>
        <translation>%1 enthält bereits einen Trainingslauf: Wählen Sie einen anderen Ordner (oder öffnen Sie diesen Lauf über Werkzeuge → Ein-Schritt-Modell destillieren…).</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 is a file: choose a folder.</source>
        <translation>%1 ist eine Datei: Wählen Sie einen Ordner.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 is not writable: choose a folder you can write to.</source>
        <translation>%1 ist nicht beschreibbar: Wählen Sie einen Ordner, in den Sie schreiben können.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Not enough disk space for the run: it needs %1, the disk holding %2 has %3 free. Free some space or choose a folder on another disk.</source>
        <translation>Nicht genug Speicherplatz für den Lauf: Er braucht %1, auf dem Datenträger mit %2 sind %3 frei. Geben Sie Speicherplatz frei oder wählen Sie einen Ordner auf einem anderen Datenträger.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>about %1 s</source>
        <translation>etwa %1 s</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>about %1 min</source>
        <translation>etwa %1 min</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>about %1 h</source>
        <translation>etwa %1 h</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>about %1 h %2 min</source>
        <translation>etwa %1 h %2 min</translation>
    </message>
    <message>
        <location line="+84"/>
        <source>The YONOS-SR run has no job for each of its stages.</source>
        <translation>Der YONOS-SR-Lauf hat nicht für jede seiner Phasen einen Auftrag.</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+20"/>
        <location line="+30"/>
        <source>The %1 stage&apos;s job: %2</source>
        <translation>Auftrag der %1-Phase: %2</translation>
    </message>
    <message>
        <location line="-19"/>
        <source>The %1 stage needs the package of the %2 stage, which is skipped.</source>
        <translation>Die %1-Phase braucht das Paket der %2-Phase, die übersprungen wird.</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>No run folder was chosen.</source>
        <translation>Es wurde kein Laufordner gewählt.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 already holds a training run.</source>
        <translation>%1 enthält bereits einen Trainingslauf.</translation>
    </message>
    <message>
        <location line="-145"/>
        <source>The teacher %1 is not a usable multi-step model.</source>
        <translation>Das Lehrermodell %1 ist kein verwendbares Mehrschrittmodell.</translation>
    </message>
    <message>
        <location line="+159"/>
        <source>The held-out photos are not among the chosen photos.</source>
        <translation>Die zurückgehaltenen Fotos gehören nicht zu den gewählten Fotos.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Both the training and the held-out photos must be chosen.</source>
        <translation>Sowohl die Trainingsfotos als auch die zurückgehaltenen Fotos müssen gewählt sein.</translation>
    </message>
    <message>
        <location line="-140"/>
        <source>The teacher&apos;s fine-tuning job: %1</source>
        <translation>Auftrag für das Nachtraining des Lehrermodells: %1</translation>
    </message>
</context>
<context>
    <name>shiftsr::gui::DistilWizard</name>
    <message>
        <location filename="../ui/src/gui/distil_support.cpp" line="+128"/>
        <source> (stage %1 of %2: %3)</source>
        <translation> (Phase %1 von %2: %3)</translation>
    </message>
    <message>
        <location line="+92"/>
        <source>cannot create %1</source>
        <translation>%1 kann nicht angelegt werden</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>no free file name for %1 in %2</source>
        <translation>kein freier Dateiname für %1 in %2</translation>
    </message>
    <message>
        <location filename="../ui/src/gui/distil_wizard.cpp" line="+31"/>
        <source>Distil a One-Step Model</source>
        <translation>Ein-Schritt-Modell destillieren</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>%1 is not a run folder of the distillation wizard (it has no job.json).</source>
        <translation>%1 ist kein Laufordner des Destillationsassistenten (er enthält keine job.json).</translation>
    </message>
</context>
<context>
    <name>shiftsr::gui::FinishPage</name>
    <message>
        <location filename="../ui/src/gui/distil_pages_run.cpp" line="+738"/>
        <source>Finish</source>
        <translation>Abschluss</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+75"/>
        <source>The student is installed in your model folder and compared with its teacher on a held-out photo in the main window.</source>
        <translation>Das Schülermodell wird in Ihrem Modellordner installiert und im Hauptfenster auf einem zurückgehaltenen Foto mit seinem Lehrermodell verglichen.</translation>
    </message>
    <message>
        <location line="-68"/>
        <source>Show the &amp;Comparison</source>
        <translation>&amp;Vergleich anzeigen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The new student (one step) beside its teacher (all steps) on a held-out photo, in the main window</source>
        <translation>Das neue Schülermodell (ein Schritt) neben seinem Lehrermodell (alle Schritte) auf einem zurückgehaltenen Foto, im Hauptfenster</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>PSNR-Y (dB)</source>
        <translation>PSNR-Y (dB)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>SSIM-Y</source>
        <translation>SSIM-Y</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sharpness</source>
        <translation>Schärfe</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>BRISQUE</source>
        <translation>BRISQUE</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Seconds per photo</source>
        <translation>Sekunden pro Foto</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>PSNR-Y and SSIM-Y: closeness to the photo (higher is closer); sharpness: 1 is as sharp as the photo; BRISQUE: no-reference naturalness (lower looks more natural)</source>
        <translation>PSNR-Y und SSIM-Y: Nähe zum Foto (höher ist näher); Schärfe: 1 ist so scharf wie das Foto; BRISQUE: Natürlichkeit ohne Referenz (niedriger wirkt natürlicher)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Held-out photos, measured by shiftsr-cli eval:</source>
        <translation>Zurück&amp;gehaltene Fotos, gemessen mit shiftsr-cli eval:</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The same evaluation from a terminal</source>
        <translation>Dieselbe Auswertung in einem Terminal</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Co&amp;mmand:</source>
        <translation>&amp;Befehl:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Evaluate Again</source>
        <translation>&amp;Erneut auswerten</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>The YONOS-SR student is installed in your model folder and compared with the multi-step model on a held-out photo in the main window.</source>
        <translation>Das YONOS-SR-Schülermodell wird in Ihrem Modellordner installiert und im Hauptfenster auf einem zurückgehaltenen Foto mit dem Mehrschrittmodell verglichen.</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>The student is installed: %1</source>
        <translation>Das Schülermodell ist installiert: %1</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>The run has no model.safetensors: it has not finished.</source>
        <translation>Der Lauf hat keine model.safetensors: Er ist nicht abgeschlossen.</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Installing the student in %1…</source>
        <translation>Das Schülermodell wird in %1 installiert…</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>The student could not be installed: %1</source>
        <translation>Das Schülermodell konnte nicht installiert werden: %1</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Installed “%1” as %2.</source>
        <translation>„%1“ wurde als %2 installiert.</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>the run has no held-out photos</source>
        <translation>der Lauf hat keine zurückgehaltenen Fotos</translation>
    </message>
    <message>
        <location line="+49"/>
        <source>New student</source>
        <translation>Neues Schülermodell</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Embedded student</source>
        <translation>Integriertes Schülermodell</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Teacher</source>
        <translation>Lehrermodell</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Multi-step model</source>
        <translation>Mehrschrittmodell</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>No evaluation: %1</source>
        <translation>Keine Auswertung: %1</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>shiftsr-cli was not found beside the app or on the PATH (or in $SHIFTSR_CLI): run the command above from a terminal.</source>
        <translation>shiftsr-cli wurde weder neben der Anwendung noch im PATH (oder in $SHIFTSR_CLI) gefunden: Führen Sie den Befehl aus dem Feld „Befehl“ in einem Terminal aus.</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>%v of %m photos</source>
        <translation>%v von %m Fotos</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Evaluating on the held-out photos (every model upscales each photo; the multi-step teacher takes longest)…</source>
        <translation>Auswertung auf den zurückgehaltenen Fotos (jedes Modell skaliert jedes Foto hoch; das Mehrschritt-Lehrermodell braucht am längsten)…</translation>
    </message>
    <message>
        <location line="+49"/>
        <source>The evaluation failed: %1</source>
        <translation>Die Auswertung ist fehlgeschlagen: %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>no report was written</source>
        <translation>es wurde kein Bericht geschrieben</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Report with a contact sheet: %1</source>
        <translation>Bericht mit Kontaktabzug: %1</translation>
    </message>
</context>
<context>
    <name>shiftsr::gui::ImportCheckpointDialog</name>
    <message>
        <location filename="../ui/src/gui/import_checkpoint_dialog.cpp" line="+40"/>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Choose the Autoencoder Checkpoint</source>
        <translation>Autoencoder-Checkpoint wählen</translation>
    </message>
    <message>
        <location line="-39"/>
        <source>Import Published Weights</source>
        <translation>Veröffentlichte Gewichte importieren</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Choose weights published for other programs: ResShift and its one-step students (SinSR, RSD) with the autoencoder they work in, or Real-ESRGAN, ESRGAN and the compact Real-ESRGAN networks (.pth, .safetensors, or ncnn .param with its .bin). The family is recognised from the file; it is converted into one model package in the model folder and the original files are left as they are.</source>
        <translation>Wählen Sie Gewichte, die für andere Programme veröffentlicht wurden: ResShift und seine Ein-Schritt-Schülermodelle (SinSR, RSD) mit dem Autoencoder, in dem sie arbeiten, oder Real-ESRGAN, ESRGAN und die kompakten Real-ESRGAN-Netze (.pth, .safetensors oder ncnn-.param mit der zugehörigen .bin). Die Familie wird an der Datei erkannt; sie wird in ein Modellpaket im Modellordner umgewandelt, die Originaldateien bleiben unverändert.</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Weights (*.pth *.pt *.ckpt *.safetensors *.param);;All files (*)</source>
        <translation>Gewichte (*.pth *.pt *.ckpt *.safetensors *.param);;Alle Dateien (*)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Weights:</source>
        <translation>&amp;Gewichte:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose the Weights</source>
        <translation>Gewichte wählen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>e.g. RealESRGAN_x4plus.pth or resshift_realsrx4_s4_v3.pth</source>
        <translation>z. B. RealESRGAN_x4plus.pth oder resshift_realsrx4_s4_v3.pth</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Autoencoder (diffusion models):</source>
        <translation>&amp;Autoencoder (Diffusionsmodelle):</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>e.g. autoencoder_vq_f4.pth; none for GAN models</source>
        <translation>z. B. autoencoder_vq_f4.pth; keiner bei GAN-Modellen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Configuration (optional):</source>
        <translation>&amp;Konfiguration (optional):</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose the Configuration</source>
        <translation>Konfiguration wählen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>JSON files (*.json);;All files (*)</source>
        <translation>JSON-Dateien (*.json);;Alle Dateien (*)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Read from the weights where they say it</source>
        <translation>Aus den Gewichten gelesen, wo sie es angeben</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Automatic (from the file name or the configuration)</source>
        <translation>Automatisch (aus dem Dateinamen oder der Konfiguration)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>ResShift v3, 4 steps</source>
        <translation>ResShift v3, 4 Schritte</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ResShift v1, 15 steps</source>
        <translation>ResShift v1, 15 Schritte</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ResShift v2, 15 steps</source>
        <translation>ResShift v2, 15 Schritte</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ResShift bicubic x4, 4 steps</source>
        <translation>ResShift bikubisch x4, 4 Schritte</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ResShift x2, 4 steps</source>
        <translation>ResShift x2, 4 Schritte</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>SinSR one-step student</source>
        <translation>SinSR-Ein-Schritt-Schülermodell</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>RSD one-step student</source>
        <translation>RSD-Ein-Schritt-Schülermodell</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>ResShift &amp;schedule:</source>
        <translation>ResShift-&amp;Zeitplan:</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Derived from what the file holds</source>
        <translation>Abgeleitet aus dem Inhalt der Datei</translation>
    </message>
    <message>
        <location line="+79"/>
        <source>Choose the weights file.</source>
        <translation>Wählen Sie die Gewichtsdatei.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The weights file %1 does not exist.</source>
        <translation>Die Gewichtsdatei %1 existiert nicht.</translation>
    </message>
    <message>
        <location line="-79"/>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&amp;Import</source>
        <translation>&amp;Importieren</translation>
    </message>
    <message>
        <location line="+74"/>
        <source>The autoencoder checkpoint %1 does not exist.</source>
        <translation>Der Autoencoder-Checkpoint %1 existiert nicht.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The configuration file %1 does not exist.</source>
        <translation>Die Konfigurationsdatei %1 existiert nicht.</translation>
    </message>
</context>
<context>
    <name>shiftsr::gui::MainWindow</name>
    <message>
        <location filename="../ui/src/gui/main_window.cpp" line="+45"/>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 min %2 s</source>
        <translation>%1 min %2 s</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <location line="+62"/>
        <source>ShiftSR</source>
        <translation>ShiftSR</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Open an image (Ctrl+O) or drop one here.</source>
        <translation>Öffnen Sie ein Bild (Strg+O) oder ziehen Sie es hierher.</translation>
    </message>
    <message numerus="yes">
        <location line="+182"/>
        <source>%1
%n step(s) · %2 · run memory %3</source>
        <translation>
            <numerusform>%1
%n Schritt · %2 · Speicher des Laufs %3</numerusform>
            <numerusform>%1
%n Schritte · %2 · Speicher des Laufs %3</numerusform>
        </translation>
    </message>
    <message>
        <location line="+245"/>
        <source>Preview Region</source>
        <translation>Ausschnitt-Vorschau</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The region is %1 × %2 pixels, %3 % of the image: previewing it takes about as long as upscaling that much of the image with every checked model.</source>
        <translation>Der Ausschnitt ist %1 × %2 Pixel groß, %3 % des Bildes: Die Vorschau dauert etwa so lange, wie diesen Teil des Bildes mit jedem ausgewählten Modell hochzuskalieren.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Select a smaller region (Shift+drag) for a quick look.</source>
        <translation>Für einen schnellen Blick einen kleineren Ausschnitt wählen (Umschalt+Ziehen).</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Preview Anyway</source>
        <translation>&amp;Trotzdem anzeigen</translation>
    </message>
    <message>
        <location line="+52"/>
        <source>Elapsed %1 · about %2 left</source>
        <translation>Vergangen %1 · noch etwa %2</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Elapsed %1</source>
        <translation>Vergangen %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Starting…</source>
        <translation>Wird gestartet…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 (%2 of %3): %4 · %5 %</source>
        <translation>%1 (%2 von %3): %4 · %5 %</translation>
    </message>
    <message numerus="yes">
        <location line="+17"/>
        <source>Device: CPU, %n thread(s)</source>
        <translation>
            <numerusform>Gerät: CPU, %n Thread</numerusform>
            <numerusform>Gerät: CPU, %n Threads</numerusform>
        </translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Run memory: %1</source>
        <translation>Speicher des Laufs: %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Peak memory this run needed above the %1 ShiftSR held when it started (peak of the process during the run: %2)</source>
        <translation>Höchster Speicherbedarf dieses Laufs über den %1, die ShiftSR bei seinem Start belegte (Höchstwert des Prozesses während des Laufs: %2)</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Cancelled after %1</source>
        <translation>Abgebrochen nach %1</translation>
    </message>
    <message>
        <location line="+106"/>
        <location filename="../ui/src/gui/main_window_actions.cpp" line="+59"/>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <location line="+57"/>
        <source>Saving %1 to %2…</source>
        <translation>%1 wird in %2 gespeichert…</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Saved %1 to %2</source>
        <translation>%1 gespeichert in %2</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Saved %1 to %2 (%3)</source>
        <translation>%1 gespeichert in %2 (%3)</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>Selected the visible area: %1 × %2 of %3 × %4 pixels.</source>
        <translation>Sichtbarer Bereich ausgewählt: %1 × %2 von %3 × %4 Pixeln.</translation>
    </message>
    <message>
        <location filename="../ui/src/gui/main_window_actions.cpp" line="+11"/>
        <source>&amp;Open…</source>
        <translation>Ö&amp;ffnen…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Open an image</source>
        <translation>Ein Bild öffnen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Save</source>
        <translation>&amp;Speichern</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save the selected result with the input&apos;s metadata</source>
        <translation>Das ausgewählte Ergebnis mit den Metadaten der Eingabe speichern</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save &amp;As…</source>
        <translation>Speichern &amp;unter…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Ctrl+Shift+S</source>
        <translation>Ctrl+Shift+S</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save the selected result under a new name</source>
        <translation>Das ausgewählte Ergebnis unter einem neuen Namen speichern</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save Op&amp;tions…</source>
        <translation>Speicher&amp;optionen…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Where and how Save writes results: folder, file name, format</source>
        <translation>Wohin und wie Speichern Ergebnisse schreibt: Ordner, Dateiname, Format</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Settings…</source>
        <translation>&amp;Einstellungen…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Ctrl+,</source>
        <translation>Ctrl+,</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Folders, output, device, threads, tiles</source>
        <translation>Ordner, Ausgabe, Gerät, Threads, Kacheln</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <location line="+0"/>
        <location filename="../ui/src/gui/main_window_distil.cpp" line="+218"/>
        <source>Close ShiftSR</source>
        <translation>ShiftSR schließen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Upscale</source>
        <translation>&amp;Hochskalieren</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Ctrl+R</source>
        <translation>Ctrl+R</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Upscale the whole image x4 with the chosen model</source>
        <translation>Das ganze Bild mit dem gewählten Modell x4 hochskalieren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Compare One-Step and Multi-Step</source>
        <translation>&amp;Ein- und Mehrschrittmodell vergleichen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Ctrl+Shift+R</source>
        <translation>Ctrl+Shift+R</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Run the one-step and the multi-step model with the same seed and show them side by side</source>
        <translation>Einschritt- und Mehrschrittmodell mit demselben Seed ausführen und nebeneinander anzeigen</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Preview Region</source>
        <translation>Ausschnitt-&amp;Vorschau</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Ctrl+P</source>
        <translation>Ctrl+P</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Upscale only the selected region (or the visible area) with every checked model</source>
        <translation>Nur den ausgewählten Ausschnitt (oder den sichtbaren Bereich) mit jedem markierten Modell hochskalieren</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Stop the run in progress</source>
        <translation>Den laufenden Vorgang anhalten</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Select &amp;Region</source>
        <translation>Ausschnitt &amp;auswählen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Ctrl+M</source>
        <translation>Ctrl+M</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Drag a rectangle on the input (Shift+drag works at any time)</source>
        <translation>Ziehen Sie ein Rechteck auf der Eingabe auf (Umschalt+Ziehen funktioniert jederzeit)</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Drag a rectangle on the input.</source>
        <translation>Ziehen Sie ein Rechteck auf der Eingabe auf.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Use &amp;Visible Area</source>
        <translation>&amp;Sichtbaren Bereich verwenden</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Ctrl+Shift+V</source>
        <translation>Ctrl+Shift+V</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Select the part of the input that is on screen</source>
        <translation>Den auf dem Bildschirm sichtbaren Teil der Eingabe auswählen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Clear Se&amp;lection</source>
        <translation>Auswahl au&amp;fheben</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Ctrl+D</source>
        <translation>Ctrl+D</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Forget the selected region</source>
        <translation>Den ausgewählten Ausschnitt verwerfen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Zoom &amp;In</source>
        <translation>&amp;Vergrößern</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Zoom in</source>
        <translation>Vergrößern</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ctrl+=</source>
        <translation>Ctrl+=</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Zoom &amp;Out</source>
        <translation>Ver&amp;kleinern</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Zoom out</source>
        <translation>Verkleinern</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Fit to Window</source>
        <translation>An &amp;Fenster anpassen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Ctrl+0</source>
        <translation>Ctrl+0</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Show the whole image</source>
        <translation>Das ganze Bild anzeigen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Actual Pixels (1:1)</source>
        <translation>&amp;Originalgröße (1:1)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Ctrl+1</source>
        <translation>Ctrl+1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>One image pixel per screen pixel</source>
        <translation>Ein Bildpixel pro Bildschirmpixel</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Double Size (2:1)</source>
        <translation>&amp;Doppelte Größe (2:1)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Ctrl+2</source>
        <translation>Ctrl+2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Two screen pixels per image pixel</source>
        <translation>Zwei Bildschirmpixel pro Bildpixel</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Split View</source>
        <translation>Geteilte An&amp;sicht</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Ctrl+T</source>
        <translation>Ctrl+T</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Two images in one view with a movable split line, or all side by side</source>
        <translation>Zwei Bilder in einer Ansicht mit verschiebbarer Trennlinie oder alle nebeneinander</translation>
    </message>
    <message>
        <location line="-34"/>
        <source>Ca&amp;ncel</source>
        <translation>Abbre&amp;chen</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>F</source>
        <translation>F</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Fli&amp;p</source>
        <translation>Ver&amp;tauschen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Swap the two compared images (also Space or B in the viewer)</source>
        <translation>Die beiden verglichenen Bilder tauschen (im Betrachter auch mit Leertaste oder B)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Show &amp;Labels</source>
        <translation>Beschriftungen an&amp;zeigen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Ctrl+Shift+L</source>
        <translation>Ctrl+Shift+L</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Model, steps, time and memory on every pane</source>
        <translation>Modell, Schritte, Zeit und Speicher in jedem Bildbereich</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>&amp;Whole Image</source>
        <translation>&amp;Gesamtbild</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Alt+1</source>
        <translation>Alt+1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The input and the whole-image results</source>
        <translation>Die Eingabe und die Ergebnisse für das ganze Bild</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Region Results</source>
        <translation>&amp;Ausschnittergebnisse</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Alt+2</source>
        <translation>Alt+2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The last region preview</source>
        <translation>Die letzte Ausschnitt-Vorschau</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Input &amp;Nearest</source>
        <translation>Eingabe: &amp;Nächster Nachbar</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show the input&apos;s pixels magnified as they are</source>
        <translation>Die Pixel der Eingabe unverändert vergrößert anzeigen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Input &amp;Bicubic</source>
        <translation>Eingabe: &amp;Bikubisch</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show the input magnified with bicubic interpolation</source>
        <translation>Die Eingabe mit bikubischer Interpolation vergrößert anzeigen</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>&amp;Toggle Input Interpolation</source>
        <translation>Eingabe-&amp;Interpolation umschalten</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Ctrl+I</source>
        <translation>Ctrl+I</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Switch the input pane between nearest and bicubic</source>
        <translation>Die Eingabeansicht zwischen nächstem Nachbarn und bikubisch umschalten</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Models…</source>
        <translation>&amp;Modelle…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Ctrl+Shift+M</source>
        <translation>Ctrl+Shift+M</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Installed models, import, default</source>
        <translation>Installierte Modelle, Import, Standard</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Batch…</source>
        <translation>&amp;Stapelverarbeitung…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Ctrl+Shift+B</source>
        <translation>Ctrl+Shift+B</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Upscale many files and folders</source>
        <translation>Viele Dateien und Ordner hochskalieren</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Distil a One-Step Model…</source>
        <translation>Ein-Schritt-Modell &amp;destillieren…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Train a one-step student on your own photos and compare it with its teacher</source>
        <translation>Ein Ein-Schritt-Schülermodell mit eigenen Fotos trainieren und mit seinem Lehrermodell vergleichen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Keyboard Shortcuts…</source>
        <translation>&amp;Tastenkürzel…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Every shortcut of the menus, the viewer and the region selection</source>
        <translation>Alle Tastenkürzel der Menüs, der Bildansicht und der Ausschnittauswahl</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Open</source>
        <translation>Öffnen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Compare</source>
        <translation>Vergleichen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Fit</source>
        <translation>Einpassen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Actual Pixels</source>
        <translation>Originalgröße</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Split</source>
        <translation>Geteilt</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open &amp;Recent</source>
        <translation>&amp;Zuletzt geöffnet</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>&amp;Run</source>
        <translation>A&amp;usführen</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>&amp;Tools</source>
        <translation>&amp;Werkzeuge</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;About ShiftSR</source>
        <translation>&amp;Über ShiftSR</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>About ShiftSR</source>
        <translation>Über ShiftSR</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&lt;p&gt;&lt;b&gt;ShiftSR %1&lt;/b&gt;&lt;/p&gt;&lt;p&gt;Diffusion image super-resolution x4 on your own machine: multi-step ResShift and one-step students, compared side by side.&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;ShiftSR %1&lt;/b&gt;&lt;/p&gt;&lt;p&gt;Diffusionsbasierte Bild-Superauflösung x4 auf Ihrem eigenen Rechner: mehrstufiges ResShift und davon abgeleitete Einschrittmodelle im direkten Vergleich.&lt;/p&gt;</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Main</source>
        <translation>Hauptwerkzeugleiste</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Model for Upscale</source>
        <translation>Modell zum Hochskalieren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Model:</source>
        <translation>&amp;Modell:</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Sampling steps: the model&apos;s own, 1 (one network call) or the full chain</source>
        <translation>Sampling-Schritte: die des Modells, 1 (ein Netzaufruf) oder die vollständige Kette</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Steps:</source>
        <translation>&amp;Schritte:</translation>
    </message>
    <message>
        <location line="+51"/>
        <source>Device and CPU threads of the last run</source>
        <translation>Gerät und CPU-Threads des letzten Laufs</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Peak memory the last run needed above what ShiftSR held before</source>
        <translation>Höchster Speicherbedarf des letzten Laufs über dem, was ShiftSR vorher belegte</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Zoom relative to the result&apos;s pixels: 100 % shows one result pixel per screen pixel, also before the upscale</source>
        <translation>Zoom bezogen auf die Pixel des Ergebnisses: 100 % zeigt ein Ergebnispixel je Bildschirmpixel, auch vor dem Hochskalieren</translation>
    </message>
    <message>
        <location line="+77"/>
        <source>%1 %2</source>
        <translation>%1 %2</translation>
    </message>
    <message>
        <location line="-80"/>
        <location line="+185"/>
        <source>Zoom %1 %</source>
        <translation>Zoom %1 %</translation>
    </message>
    <message>
        <location line="-237"/>
        <source>Noise seed: the same seed gives the same result</source>
        <translation>Rausch-Seed: Derselbe Seed liefert dasselbe Ergebnis</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>S&amp;eed:</source>
        <translation>S&amp;eed:</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>Engine time of the last run</source>
        <translation>Rechenzeit des letzten Durchlaufs</translation>
    </message>
    <message numerus="yes">
        <location line="+52"/>
        <source>%1
%2, x%3, %n step(s) by default</source>
        <translation>
            <numerusform>%1
%2, x%3, standardmäßig %n Schritt</numerusform>
            <numerusform>%1
%2, x%3, standardmäßig %n Schritte</numerusform>
        </translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Not usable: %1</source>
        <translation>Nicht verwendbar: %1</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Model default</source>
        <translation>Modellstandard</translation>
    </message>
    <message numerus="yes">
        <location line="+5"/>
        <source>Model default (%n)</source>
        <translation>
            <numerusform>Modellstandard (%n)</numerusform>
            <numerusform>Modellstandard (%n)</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/src/gui/main_window.cpp" line="-304"/>
        <source>%1 at 1 step</source>
        <translation>%1 mit 1 Schritt</translation>
    </message>
    <message>
        <location filename="../ui/src/gui/main_window_actions.cpp" line="+18"/>
        <source>&amp;Clear Menu</source>
        <translation>&amp;Liste leeren</translation>
    </message>
    <message>
        <location filename="../ui/src/gui/main_window.cpp" line="-406"/>
        <location line="+28"/>
        <source>Open Image</source>
        <translation>Bild öffnen</translation>
    </message>
    <message>
        <location line="-27"/>
        <source>Images (*.png *.jpg *.jpeg *.tif *.tiff *.webp *.bmp);;All Files (*)</source>
        <translation>Bilder (*.png *.jpg *.jpeg *.tif *.tiff *.webp *.bmp);;Alle Dateien (*)</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Opening %1…</source>
        <translation>%1 wird geöffnet…</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Cannot open %1: %2</source>
        <translation>%1 kann nicht geöffnet werden: %2</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>%1 – ShiftSR</source>
        <translation>%1 – ShiftSR</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1: %2 × %3 pixels, %4 bit</source>
        <translation>%1: %2 × %3 Pixel, %4 Bit</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1: the metadata could not be read and will not be copied (%2)</source>
        <translation>%1: Die Metadaten konnten nicht gelesen werden und werden nicht übernommen (%2)</translation>
    </message>
    <message>
        <location line="+53"/>
        <source>Input</source>
        <translation>Eingabe</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Input, bicubic x%1</source>
        <translation>Eingabe, bikubisch x%1</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Input, nearest x%1</source>
        <translation>Eingabe, nächster Nachbar x%1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Input crop %1×%2 at (%3, %4)</source>
        <translation>Eingabeausschnitt %1×%2 bei (%3, %4)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Input crop %1×%2 at (%3, %4), bicubic x%5</source>
        <translation>Eingabeausschnitt %1×%2 bei (%3, %4), bikubisch x%5</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Input crop %1×%2 at (%3, %4), nearest x%5</source>
        <translation>Eingabeausschnitt %1×%2 bei (%3, %4), nächster Nachbar x%5</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>%1: failed (%2)</source>
        <translation>%1: fehlgeschlagen (%2)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1: cancelled</source>
        <translation>%1: abgebrochen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1: running…</source>
        <translation>%1: läuft…</translation>
    </message>
    <message>
        <location line="+161"/>
        <source>No usable model is installed.</source>
        <translation>Es ist kein verwendbares Modell installiert.</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Compare needs a multi-step model, and none is installed.</source>
        <translation>Für den Vergleich wird ein Mehrschrittmodell benötigt, es ist aber keines installiert.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Cannot compare: %1 is not a usable model.</source>
        <translation>Vergleich nicht möglich: %1 ist kein verwendbares Modell.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>%1 at 1 step (no one-step model installed)</source>
        <translation>%1 mit 1 Schritt (kein Einschrittmodell installiert)</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>No one-step model is installed: comparing %1 at %n step(s) with the same model at 1 step.</source>
        <translation>
            <numerusform>Kein Einschrittmodell installiert: %1 mit %n Schritt wird mit demselben Modell mit 1 Schritt verglichen.</numerusform>
            <numerusform>Kein Einschrittmodell installiert: %1 mit %n Schritten wird mit demselben Modell mit 1 Schritt verglichen.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Third pane: %1, the model chosen on the toolbar.</source>
        <translation>Dritter Bildbereich: %1, das in der Werkzeugleiste gewählte Modell.</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Select a region on the input first (Shift+drag).</source>
        <translation>Wählen Sie zuerst einen Ausschnitt der Eingabe (Umschalt+Ziehen).</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Check at least one model in the Region Preview panel.</source>
        <translation>Markieren Sie mindestens ein Modell im Bereich „Ausschnitt-Vorschau“.</translation>
    </message>
    <message>
        <location line="+68"/>
        <source>Cancelling…</source>
        <translation>Wird abgebrochen…</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Device: %1</source>
        <translation>Gerät: %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Time: %1</source>
        <translation>Zeit: %1</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>%1 failed: %2</source>
        <translation>%1 fehlgeschlagen: %2</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Cancelled.</source>
        <translation>Abgebrochen.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Done.</source>
        <translation>Fertig.</translation>
    </message>
    <message>
        <location line="+120"/>
        <location line="+44"/>
        <source>Save Result</source>
        <translation>Ergebnis speichern</translation>
    </message>
    <message>
        <location line="-42"/>
        <source>PNG (*.png);;JPEG (*.jpg *.jpeg);;TIFF (*.tif *.tiff);;WebP (*.webp);;BMP (*.bmp)</source>
        <translation>PNG (*.png);;JPEG (*.jpg *.jpeg);;TIFF (*.tif *.tiff);;WebP (*.webp);;BMP (*.bmp)</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>Cannot save %1: %2</source>
        <translation>%1 kann nicht gespeichert werden: %2</translation>
    </message>
    <message>
        <location filename="../ui/src/gui/main_window_actions.cpp" line="+140"/>
        <source>Batch upscale — ShiftSR</source>
        <translation>Stapelverarbeitung — ShiftSR</translation>
    </message>
    <message>
        <location filename="../ui/src/gui/main_window.cpp" line="+58"/>
        <source>Stopping before closing…</source>
        <translation>Wird vor dem Schließen angehalten…</translation>
    </message>
    <message>
        <location filename="../ui/src/gui/main_window_distil.cpp" line="-160"/>
        <source>%1 — training, step %2 of %3</source>
        <translation>%1 — Training läuft, Schritt %2 von %3</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 — stopped at step %2 of %3</source>
        <translation>%1 — angehalten bei Schritt %2 von %3</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>A distillation run is training: stop it or let it finish before starting another.</source>
        <translation>Ein Destillationslauf trainiert gerade: Halten Sie ihn an oder lassen Sie ihn zu Ende laufen, bevor Sie einen weiteren starten.</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Distil a One-Step Model</source>
        <translation>Ein-Schritt-Modell destillieren</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>&amp;Runs that can be continued:</source>
        <translation>Fortsetzbare &amp;Läufe:</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Continue Run</source>
        <translation>Lauf &amp;fortsetzen</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Start a &amp;New Distillation</source>
        <translation>&amp;Neue Destillation starten</translation>
    </message>
    <message numerus="yes">
        <location line="+31"/>
        <source>%n distillation run(s) can be continued: Tools &gt; Distil a One-Step Model…</source>
        <translation>
            <numerusform>%n Destillationslauf kann fortgesetzt werden: Werkzeuge &gt; Ein-Schritt-Modell destillieren…</numerusform>
            <numerusform>%n Destillationsläufe können fortgesetzt werden: Werkzeuge &gt; Ein-Schritt-Modell destillieren…</numerusform>
        </translation>
    </message>
    <message>
        <location line="+44"/>
        <source>A distillation run is training.</source>
        <translation>Ein Destillationslauf trainiert gerade.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>It can go on in the background: the next start of ShiftSR offers to follow it again. Stopping writes a checkpoint first, so the run can be resumed later.</source>
        <translation>Er kann im Hintergrund weiterlaufen: Beim nächsten Start bietet ShiftSR an, ihn wieder zu verfolgen. Beim Anhalten wird zuerst ein Checkpoint geschrieben, sodass der Lauf später fortgesetzt werden kann.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Keep Training in the Background</source>
        <translation>Im &amp;Hintergrund weitertrainieren</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Stop Training</source>
        <translation>Training a&amp;nhalten</translation>
    </message>
</context>
<context>
    <name>shiftsr::gui::MethodPage</name>
    <message>
        <location filename="../ui/src/gui/distil_pages_setup.cpp" line="-1032"/>
        <location line="+3"/>
        <source>Method</source>
        <translation>Methode</translation>
    </message>
    <message>
        <location line="-2"/>
        <source>How the student is trained, and for how long.</source>
        <translation>Wie das Schülermodell trainiert wird und wie lange.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;RSD: residual shift distillation</source>
        <translation>&amp;RSD: Residual-Shift-Destillation</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Preset</source>
        <translation>Voreinstellung</translation>
    </message>
    <message>
        <location line="+52"/>
        <source>Student na&amp;me:</source>
        <translation>&amp;Name des Schülermodells:</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+205"/>
        <source>&amp;Advanced: every field of the job</source>
        <translation>&amp;Erweitert: alle Felder des Auftrags</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>The job as shiftsr-train reads it (docs/training.md). The data folders and the teacher are filled in when the run folder is prepared.</source>
        <translation>Der Auftrag, wie shiftsr-train ihn liest (docs/training.md). Die Datenordner und das Lehrermodell werden eingetragen, wenn der Laufordner vorbereitet wird.</translation>
    </message>
    <message>
        <location line="-37"/>
        <source>%1 one-step (RSD)</source>
        <translation>%1 Ein-Schritt (RSD)</translation>
    </message>
    <message>
        <location line="-2"/>
        <source>My photos</source>
        <translation>Meine Fotos</translation>
    </message>
    <message>
        <location line="-46"/>
        <source>&amp;Quick</source>
        <translation>&amp;Schnell</translation>
    </message>
    <message>
        <location line="-204"/>
        <source>&amp;YONOS-SR: scale distillation, in four stages</source>
        <translation>&amp;YONOS-SR: Skalendestillation, in vier Phasen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>RSD distils the multi-step teacher of the Teacher page into a one-step student. YONOS-SR trains a latent-diffusion model of its own from your photos: an autoencoder, an x2 teacher, the x4 one-step student distilled from it, and the decoder fine-tuned on the student&apos;s outputs.</source>
        <translation>RSD destilliert das Mehrschritt-Lehrermodell der Seite „Lehrermodell“ in ein Ein-Schritt-Schülermodell. YONOS-SR trainiert aus Ihren Fotos ein eigenes latentes Diffusionsmodell: einen Autoencoder, ein x2-Lehrermodell, das daraus destillierte x4-Ein-Schritt-Schülermodell und den mit den Ergebnissen des Schülermodells nachtrainierten Decoder.</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>YONOS-SR</source>
        <translation>YONOS-SR</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>f4: 4 latent channels at a quarter of the side (the recipe&apos;s)</source>
        <translation>f4: 4 latente Kanäle bei einem Viertel der Seitenlänge (wie im Rezept)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>f8: 16 latent channels at an eighth of the side</source>
        <translation>f8: 16 latente Kanäle bei einem Achtel der Seitenlänge</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Latent &amp;codec:</source>
        <translation>Latenter &amp;Codec:</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>none: the first stage trains one</source>
        <translation>keiner: Die erste Phase trainiert einen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>C&amp;hoose…</source>
        <translation>Wä&amp;hlen…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Aut&amp;oencoder:</source>
        <translation>Aut&amp;oencoder:</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Start the &amp;teacher from:</source>
        <translation>&amp;Lehrermodell startet von:</translation>
    </message>
    <message>
        <location line="+150"/>
        <source>Ba&amp;lanced</source>
        <translation>Aus&amp;gewogen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>B&amp;est</source>
        <translation>&amp;Beste</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>T&amp;iny (test model)</source>
        <translation>W&amp;inzig (Testmodell)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>A first result: 150 steps of 4 crops, a few minutes on 2 CPU cores.</source>
        <translation>Ein erstes Ergebnis: 150 Schritte mit je 4 Ausschnitten, einige Minuten auf 2 CPU-Kernen.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The embedded student&apos;s recipe: 600 steps of 8 crops (it took 0.6 h on 2 CPU cores).</source>
        <translation>Das Rezept des integrierten Schülermodells: 600 Schritte mit je 8 Ausschnitten (es dauerte 0,6 h auf 2 CPU-Kernen).</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>2000 steps of 8 crops: 2 hours or more on 2 CPU cores.</source>
        <translation>2000 Schritte mit je 8 Ausschnitten: 2 Stunden oder mehr auf 2 CPU-Kernen.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A few steps of the untrained test model, for checks only.</source>
        <translation>Einige Schritte des untrainierten Testmodells, nur zur Prüfung.</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>A first result: a quarter of the recipe&apos;s steps (%1 for the four stages, 8 crops each), about half an hour on 2 CPU cores.</source>
        <translation>Ein erstes Ergebnis: ein Viertel der Schritte des Rezepts (%1 für die vier Phasen, je 8 Ausschnitte), etwa eine halbe Stunde auf 2 CPU-Kernen.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The YONOS-lite recipe (training/recipes/yonos-lite.sh): %1 steps of 8 crops, about 2 hours on 2 CPU cores.</source>
        <translation>Das Rezept YONOS-lite (training/recipes/yonos-lite.sh): %1 Schritte mit je 8 Ausschnitten, etwa 2 Stunden auf 2 CPU-Kernen.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Four times the recipe: %1 steps of 8 crops, 8 hours or more on 2 CPU cores.</source>
        <translation>Das Vierfache des Rezepts: %1 Schritte mit je 8 Ausschnitten, 8 Stunden oder mehr auf 2 CPU-Kernen.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A few steps of each stage at the tiny test size, for checks only.</source>
        <translation>Einige Schritte jeder Phase in der winzigen Testgröße, nur zur Prüfung.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>%1 one-step (YONOS-SR)</source>
        <translation>%1 Ein-Schritt (YONOS-SR)</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>&amp;Advanced: every field of each stage&apos;s job</source>
        <translation>&amp;Erweitert: alle Felder des Auftrags jeder Phase</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Each stage&apos;s job as shiftsr-train yonos reads it (docs/training.md), run in its own folder. The data folders and the packages of the earlier stages are filled in when the run folder is prepared.</source>
        <translation>Der Auftrag jeder Phase, wie shiftsr-train yonos ihn liest (docs/training.md), jeweils in einem eigenen Ordner ausgeführt. Die Datenordner und die Pakete der vorherigen Phasen werden eingetragen, wenn der Laufordner vorbereitet wird.</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>nothing: the teacher starts untrained</source>
        <translation>nichts: Das Lehrermodell startet untrainiert</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 (embedded)</source>
        <translation>%1 (integriert)</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Choose an Autoencoder Package</source>
        <translation>Autoencoder-Paket wählen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Autoencoder packages (*.safetensors)</source>
        <translation>Autoencoder-Pakete (*.safetensors)</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>The teacher is fine-tuned first, so the student starts from the fine-tuned teacher.</source>
        <translation>Das Lehrermodell wird zuerst nachtrainiert, daher startet das Schülermodell vom nachtrainierten Lehrermodell.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Starts from “%1”, a one-step student of this teacher: fine-tuning it on your photos is far better than starting over from the teacher on a CPU.</source>
        <translation>Startet von „%1“, einem Ein-Schritt-Schülermodell dieses Lehrermodells: Es mit Ihren Fotos nachzutrainieren ist auf einer CPU weit besser, als vom Lehrermodell aus neu zu beginnen.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No one-step student of this teacher is installed: the student starts from the teacher, which needs the longer presets.</source>
        <translation>Es ist kein Ein-Schritt-Schülermodell dieses Lehrermodells installiert: Das Schülermodell startet vom Lehrermodell, was die längeren Voreinstellungen erfordert.</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Stage after stage, each a run of its own: %1. YONOS-SR trains a teacher of its own; the multi-step model of the Teacher page is what its student is compared with at the end.</source>
        <translation>Phase für Phase, jede ein eigener Lauf: %1. YONOS-SR trainiert ein eigenes Lehrermodell; mit dem Mehrschrittmodell der Seite „Lehrermodell“ wird sein Schülermodell am Ende verglichen.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The teacher starts from the U-Net and schedule of “%1” with the autoencoder you chose: there is no autoencoder stage.</source>
        <translation>Das Lehrermodell startet mit U-Net und Zeitplan von „%1“ und dem gewählten Autoencoder: Es gibt keine Autoencoder-Phase.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The autoencoder stage is skipped: the teacher uses the autoencoder you chose.</source>
        <translation>Die Autoencoder-Phase wird übersprungen: Das Lehrermodell verwendet den gewählten Autoencoder.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The teacher starts from “%1” (its U-Net, schedule and autoencoder): there is no autoencoder stage.</source>
        <translation>Das Lehrermodell startet von „%1“ (dessen U-Net, Zeitplan und Autoencoder): Es gibt keine Autoencoder-Phase.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Fine-tuning the teacher (Teacher page) is for RSD: YONOS-SR trains its teacher anyway.</source>
        <translation>Das Nachtraining des Lehrermodells (Seite „Lehrermodell“) gilt nur für RSD: YONOS-SR trainiert sein Lehrermodell ohnehin.</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Skipped: its package is given</source>
        <translation>Übersprungen: Das Paket dieser Phase ist vorgegeben</translation>
    </message>
    <message>
        <location line="+47"/>
        <source>This wizard distils: the job&apos;s kind must be &quot;rsd&quot;.</source>
        <translation>Dieser Assistent destilliert: Das Feld kind des Auftrags muss &quot;rsd&quot; sein.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>%1 stage: %2</source>
        <translation>%1-Phase: %2</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 stage: the job&apos;s kind must be &quot;yonos&quot; and its yonos.stage &quot;%2&quot;.</source>
        <translation>%1-Phase: Das Feld kind des Auftrags muss &quot;yonos&quot; sein und das Feld yonos.stage &quot;%2&quot;.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The job is valid.</source>
        <translation>Der Auftrag ist gültig.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The job is not valid: %1</source>
        <translation>Der Auftrag ist ungültig: %1</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Give the student a name.</source>
        <translation>Geben Sie dem Schülermodell einen Namen.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Choose an autoencoder package, or clear the field to train one: %1</source>
        <translation>Wählen Sie ein Autoencoder-Paket oder leeren Sie das Feld, um einen Autoencoder zu trainieren: %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Correct the job under Advanced: %1</source>
        <translation>Korrigieren Sie den Auftrag unter „Erweitert“: %1</translation>
    </message>
</context>
<context>
    <name>shiftsr::gui::ModelDetailsView</name>
    <message>
        <location filename="../ui/src/gui/model_details_view.cpp" line="+40"/>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 min</source>
        <translation>%1 min</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>sha256 %1</source>
        <translation>sha256 %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 (sha256 %2)</source>
        <translation>%1 (sha256 %2)</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>%1 in this run, %2 over %3 runs</source>
        <translation>%1 in diesem Lauf, %2 über %3 Läufe</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>teacher training (ResShift, multi-step)</source>
        <translation>Lehrertraining (ResShift, mehrschrittig)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>RSD distillation (one-step student)</source>
        <translation>RSD-Destillation (Ein-Schritt-Schüler)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>decoder head training</source>
        <translation>Training des Decoder-Kopfes</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1, %2</source>
        <translation>%1, %2</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>%1 of %2 planned (unfinished)</source>
        <translation>%1 von %2 geplanten (nicht beendet)</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>batch %1, %2 px crops</source>
        <translation>Batch %1, Ausschnitte von %2 px</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>batch %1</source>
        <translation>Batch %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 px crops</source>
        <translation>Ausschnitte von %1 px</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>%1 photos</source>
        <translation>%1 Fotos</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 (%2 photos)</source>
        <translation>%1 (%2 Fotos)</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>EMA (moving average)</source>
        <translation>EMA (gleitender Mittelwert)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>raw (last step)</source>
        <translation>roh (letzter Schritt)</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>stored as %1</source>
        <translation>gespeichert als %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1, stored as %2</source>
        <translation>%1, gespeichert als %2</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>PSNR-Y %1 dB</source>
        <translation>PSNR-Y %1 dB</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 (bicubic %2 dB)</source>
        <translation>%1 (bikubisch %2 dB)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>SSIM-Y %1</source>
        <translation>SSIM-Y %1</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 validation photos</source>
        <translation>%1 Validierungsfotos</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>%1 convolutions of width %2, strength %3</source>
        <translation>%1 Faltungen der Breite %2, Stärke %3</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>from %1: %2</source>
        <translation>aus %1: %2</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Real-ESRGAN (RRDBNet, GAN)</source>
        <translation>Real-ESRGAN (RRDBNet, GAN)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>ESRGAN (RRDBNet, GAN)</source>
        <translation>ESRGAN (RRDBNet, GAN)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Real-ESRGAN compact (SRVGGNetCompact, GAN)</source>
        <translation>Real-ESRGAN kompakt (SRVGGNetCompact, GAN)</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Source</source>
        <translation>Quelle</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Converted by</source>
        <translation>Konvertiert mit</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Converted from</source>
        <translation>Konvertiert aus</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Licence</source>
        <translation>Lizenz</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Trained by</source>
        <translation>Trainiert mit</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Preset</source>
        <translation>Voreinstellung</translation>
    </message>
    <message>
        <location filename="../ui/src/gui/distil_pages_setup.cpp" line="-557"/>
        <location filename="../ui/src/gui/model_details_view.cpp" line="+1"/>
        <source>Trained from</source>
        <translation>Trainiert aus</translation>
    </message>
    <message>
        <location filename="../ui/src/gui/model_details_view.cpp" line="+3"/>
        <source>Continued from</source>
        <translation>Fortgesetzt von</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Training steps</source>
        <translation>Trainingsschritte</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Batch and crop size</source>
        <translation>Batch- und Ausschnittgröße</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Degradation</source>
        <translation>Degradation</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Data</source>
        <translation>Daten</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Seed</source>
        <translation>Seed</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Wall time</source>
        <translation>Laufzeit</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Weights</source>
        <translation>Gewichte</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Validation</source>
        <translation>Validierung</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Decoder head</source>
        <translation>Decoder-Kopf</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Head trained for</source>
        <translation>Kopf trainiert für</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 steps</source>
        <translation>%1 Schritte</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Head training</source>
        <translation>Training des Kopfes</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Head validation</source>
        <translation>Validierung des Kopfes</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Repackaged</source>
        <translation>Neu verpackt</translation>
    </message>
    <message>
        <location line="+42"/>
        <location line="+11"/>
        <source>Show raw provenance</source>
        <translation>Rohe Herkunftsdaten zeigen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Hide raw provenance</source>
        <translation>Rohe Herkunftsdaten ausblenden</translation>
    </message>
    <message>
        <location line="+45"/>
        <source>Location</source>
        <translation>Speicherort</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Embedded in the application (%1)</source>
        <translation>In die Anwendung integriert (%1)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Description</source>
        <translation>Beschreibung</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Family</source>
        <translation>Familie</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sampler</source>
        <translation>Sampler</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>single pass (no diffusion)</source>
        <translation>ein Durchgang (keine Diffusion)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>one-step (1 step)</source>
        <translation>Ein-Schritt (1 Schritt)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>multi-step, %1 steps by default</source>
        <translation>mehrschrittig, standardmäßig %1 Schritte</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Codec</source>
        <translation>Codec</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Scale</source>
        <translation>Faktor</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>×%1</source>
        <translation>×%1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Schedule steps</source>
        <translation>Schritte des Zeitplans</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>UNet parameters</source>
        <translation>UNet-Parameter</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Codec parameters</source>
        <translation>Codec-Parameter</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Network parameters</source>
        <translation>Netzparameter</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>sha256</source>
        <translation>sha256</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>computing…</source>
        <translation>wird berechnet…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Default model</source>
        <translation>Standardmodell</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Select a model to see its details.</source>
        <translation>Wählen Sie ein Modell aus, um seine Details zu sehen.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This file is not a usable model package: %1</source>
        <translation>Diese Datei ist kein verwendbares Modellpaket: %1</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Provenance</source>
        <translation>Herkunft</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No provenance recorded.</source>
        <translation>Keine Herkunft erfasst.</translation>
    </message>
</context>
<context>
    <name>shiftsr::gui::ModelManagerDialog</name>
    <message>
        <location filename="../ui/src/gui/model_manager_dialog.cpp" line="+68"/>
        <source>Models</source>
        <translation>Modelle</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&amp;Open Model Folder</source>
        <translation>Modellordner ö&amp;ffnen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>C&amp;hange Model Folder…</source>
        <translation>Modellordner &amp;wechseln…</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Family</source>
        <translation>Familie</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Codec</source>
        <translation>Codec</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Scale</source>
        <translation>Faktor</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Default steps</source>
        <translation>Standardschritte</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>UNet parameters</source>
        <translation>UNet-Parameter</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Codec parameters</source>
        <translation>Codec-Parameter</translation>
    </message>
    <message>
        <location line="-2"/>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Location</source>
        <translation>Speicherort</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>Cancel Import</source>
        <translation>Import abbrechen</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Set as &amp;Default</source>
        <translation>Als &amp;Standard festlegen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Remove…</source>
        <translation>&amp;Entfernen…</translation>
    </message>
    <message>
        <location line="+119"/>
        <source>Model folder: %1</source>
        <translation>Modellordner: %1</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>×%1</source>
        <translation>×%1</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Embedded</source>
        <translation>Integriert</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Unusable: %1</source>
        <translation>Nicht verwendbar: %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Default</source>
        <translation>Standard</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Embedded models are part of the application and cannot be removed.</source>
        <translation>Integrierte Modelle sind Teil der Anwendung und können nicht entfernt werden.</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>An import is already running; wait for it or cancel it first.</source>
        <translation>Es läuft bereits ein Import; warten Sie, bis er abgeschlossen ist, oder brechen Sie ihn zuerst ab.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The autoencoder checkpoint %1 does not exist.</source>
        <translation>Der Autoencoder-Checkpoint %1 existiert nicht.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The configuration file %1 does not exist.</source>
        <translation>Die Konfigurationsdatei %1 existiert nicht.</translation>
    </message>
    <message>
        <location line="-225"/>
        <source>&amp;Import Published Weights…</source>
        <translation>Veröffentlichte Gewichte &amp;importieren…</translation>
    </message>
    <message>
        <location line="+219"/>
        <source>The weights file %1 does not exist.</source>
        <translation>Die Gewichtsdatei %1 existiert nicht.</translation>
    </message>
    <message>
        <location line="+49"/>
        <source>Reading %2 for %1…</source>
        <translation>%2 wird für %1 gelesen…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Checking the weights of %1…</source>
        <translation>Gewichte von %1 werden geprüft…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Writing the package of %1…</source>
        <translation>Paket von %1 wird geschrieben…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Importing %1…</source>
        <translation>%1 wird importiert…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cancelling the import of %1…</source>
        <translation>Import von %1 wird abgebrochen…</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>The import of %1 ended without a result.</source>
        <translation>Der Import von %1 wurde ohne Ergebnis beendet.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Imported %1 as %2.</source>
        <translation>%1 wurde als %2 importiert.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The import of %1 was cancelled; nothing was added.</source>
        <translation>Der Import von %1 wurde abgebrochen; es wurde nichts hinzugefügt.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Could not import %1: %2</source>
        <translation>%1 konnte nicht importiert werden: %2</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>%1 is embedded in the application and cannot be removed.</source>
        <translation>%1 ist in die Anwendung integriert und kann nicht entfernt werden.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Remove Model</source>
        <translation>Modell entfernen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete the model package %1 from the disk? This cannot be undone.</source>
        <translation>Das Modellpaket %1 vom Datenträger löschen? Dies kann nicht rückgängig gemacht werden.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Could not remove %1: %2</source>
        <translation>%1 konnte nicht entfernt werden: %2</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Removed %1.</source>
        <translation>%1 wurde entfernt.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Could not make this model the default: %1</source>
        <translation>Dieses Modell konnte nicht als Standard festgelegt werden: %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 is now the default model.</source>
        <translation>%1 ist jetzt das Standardmodell.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Cannot create the model folder %1.</source>
        <translation>Der Modellordner %1 kann nicht angelegt werden.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Could not open %1 in the file manager.</source>
        <translation>%1 konnte nicht in der Dateiverwaltung geöffnet werden.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Choose the Model Folder</source>
        <translation>Modellordner wählen</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>The model folder cannot be changed while an import is running.</source>
        <translation>Der Modellordner kann nicht geändert werden, während ein Import läuft.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 is not a folder.</source>
        <translation>%1 ist kein Ordner.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Import Running</source>
        <translation>Import läuft</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>An import is still running. Cancel it and close?</source>
        <translation>Es läuft noch ein Import. Abbrechen und schließen?</translation>
    </message>
</context>
<context>
    <name>shiftsr::gui::ModelRegistry</name>
    <message>
        <location filename="../ui/src/gui/model_registry.cpp" line="+51"/>
        <source>ShiftSR Lite one-step (RSD)</source>
        <translation>ShiftSR Lite Ein-Schritt (RSD)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>One step, fast</source>
        <translation>Ein Schritt, schnell</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>ShiftSR Lite multi-step teacher</source>
        <translation>ShiftSR Lite Mehrschritt-Lehrermodell</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>4 steps, slower, the reference</source>
        <translation>4 Schritte, langsamer, die Referenz</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>ShiftSR test model (untrained, pipeline check only)</source>
        <translation>ShiftSR-Testmodell (untrainiert, nur zur Prüfung der Pipeline)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Tiny untrained test model (pipeline checks only)</source>
        <translation>Winziges untrainiertes Testmodell (nur zur Prüfung der Pipeline)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>ShiftSR YONOS test model (untrained, pipeline check only)</source>
        <translation>ShiftSR-YONOS-Testmodell (untrainiert, nur zur Prüfung der Pipeline)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Tiny untrained YONOS test model (pipeline checks only)</source>
        <translation>Winziges untrainiertes YONOS-Testmodell (nur zur Prüfung der Pipeline)</translation>
    </message>
</context>
<context>
    <name>shiftsr::gui::PhotosPage</name>
    <message>
        <location filename="../ui/src/gui/distil_pages_setup.cpp" line="-422"/>
        <source>Photos</source>
        <translation>Fotos</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose folders of your own kind of photos. The student learns from most of them; a few are held out to measure it.</source>
        <translation>Wählen Sie Ordner mit Fotos der Art, die Sie hochskalieren möchten. Das Schülermodell lernt aus den meisten davon; einige werden zurückgehalten, um es zu bewerten.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&amp;Photo folders:</source>
        <translation>Foto&amp;ordner:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Add Folder…</source>
        <translation>Ordner &amp;hinzufügen…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Remove</source>
        <translation>&amp;Entfernen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Include &amp;sub-folders</source>
        <translation>&amp;Unterordner einbeziehen</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Pre&amp;view:</source>
        <translation>&amp;Vorschau:</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>S&amp;kipped files:</source>
        <translation>Übersprungene &amp;Dateien:</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&amp;Held out (ticked: not trained on; used to validate and to compare at the end):</source>
        <translation>Zurück&amp;gehalten (angehakt: nicht zum Training verwendet; dienen der Validierung und dem Vergleich am Ende):</translation>
    </message>
    <message>
        <location line="+89"/>
        <source>Add a Folder of Photos</source>
        <translation>Ordner mit Fotos hinzufügen</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Scanning the folders…</source>
        <translation>Die Ordner werden durchsucht…</translation>
    </message>
    <message>
        <location line="+48"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>Add a folder of photos with Add Folder….</source>
        <translation>Fügen Sie mit „Ordner hinzufügen…“ einen Ordner mit Fotos hinzu.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The folders cannot be scanned: %1. Remove that folder or add another.</source>
        <translation>Die Ordner können nicht durchsucht werden: %1. Entfernen Sie diesen Ordner oder fügen Sie einen anderen hinzu.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The folders hold no photos (PNG, JPEG, WebP, BMP or TIFF): add a folder that does.</source>
        <translation>Die Ordner enthalten keine Fotos (PNG, JPEG, WebP, BMP oder TIFF): Fügen Sie einen Ordner mit Fotos hinzu.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>None of the files can be used (see Skipped files): add photos that open and are at least %1 pixels on the shorter side.</source>
        <translation>Keine der Dateien ist verwendbar (siehe „Übersprungene Dateien“): Fügen Sie Fotos hinzu, die sich öffnen lassen und an der kürzeren Seite mindestens %1 Pixel haben.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Hold out at least %1 photos: tick them in the Held out list.</source>
        <translation>Halten Sie mindestens %1 Fotos zurück: Haken Sie sie in der Liste „Zurückgehalten“ an.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>At least %1 photos must be left for training: add photos or hold fewer out.</source>
        <translation>Mindestens %1 Fotos müssen für das Training übrig bleiben: Fügen Sie Fotos hinzu oder halten Sie weniger zurück.</translation>
    </message>
    <message numerus="yes">
        <location line="+9"/>
        <source>%n usable photo(s) (%1 for training, %2 held out)</source>
        <translation>
            <numerusform>%n verwendbares Foto (%1 für das Training, %2 zurückgehalten)</numerusform>
            <numerusform>%n verwendbare Fotos (%1 für das Training, %2 zurückgehalten)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+5"/>
        <source>; %n file(s) skipped</source>
        <translation>
            <numerusform>; %n Datei übersprungen</numerusform>
            <numerusform>; %n Dateien übersprungen</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>shiftsr::gui::RegionPreviewDock</name>
    <message>
        <location filename="../ui/src/gui/region_preview_dock.cpp" line="+25"/>
        <source>Region Preview</source>
        <translation>Ausschnitt-Vorschau</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Select a region on the input (Shift+drag), then run the checked models on it only: a one-step and a multi-step model compared in seconds.</source>
        <translation>Wählen Sie einen Ausschnitt der Eingabe (Umschalt+Ziehen) und führen Sie dann nur darauf die markierten Modelle aus: Ein Einschritt- und ein Mehrschrittmodell im Vergleich, in Sekunden.</translation>
    </message>
    <message numerus="yes">
        <location line="+74"/>
        <source>%1, %n step(s)</source>
        <translation>
            <numerusform>%1, %n Schritt</numerusform>
            <numerusform>%1, %n Schritte</numerusform>
        </translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 at 1 step</source>
        <translation>%1 mit 1 Schritt</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>No region selected: the visible area is used.</source>
        <translation>Kein Ausschnitt ausgewählt: Der sichtbare Bereich wird verwendet.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Region: %1 × %2 pixels at (%3, %4)</source>
        <translation>Ausschnitt: %1 × %2 Pixel bei (%3, %4)</translation>
    </message>
</context>
<context>
    <name>shiftsr::gui::ResultSaver</name>
    <message>
        <location filename="../ui/src/gui/result_saver.cpp" line="+97"/>
        <source>There is no result to save.</source>
        <translation>Es gibt kein Ergebnis zum Speichern.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A result never replaces its input: choose another file name.</source>
        <translation>Ein Ergebnis ersetzt nie seine Eingabe: Wählen Sie einen anderen Dateinamen.</translation>
    </message>
</context>
<context>
    <name>shiftsr::gui::RunPage</name>
    <message>
        <location filename="../ui/src/gui/distil_pages_run.cpp" line="-916"/>
        <source>Run</source>
        <translation>Lauf</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>shiftsr-train distils the one-step student. Stop writes a checkpoint; Resume goes on from it, also after the app was closed.</source>
        <translation>shiftsr-train destilliert das Ein-Schritt-Schülermodell. „Anhalten“ schreibt einen Checkpoint; „Fortsetzen“ macht dort weiter, auch nachdem die Anwendung geschlossen wurde.</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>&amp;Stop</source>
        <translation>An&amp;halten</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The trainer finishes its step, writes a checkpoint and exits</source>
        <translation>Das Trainingsprogramm beendet den laufenden Schritt, schreibt einen Checkpoint und beendet sich</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Resume</source>
        <translation>Fo&amp;rtsetzen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Go on from the last checkpoint</source>
        <translation>Beim letzten Checkpoint weitermachen</translation>
    </message>
    <message>
        <location line="+13"/>
        <location line="+368"/>
        <source>The first validation sample appears after the first validation step.</source>
        <translation>Das erste Validierungsbeispiel erscheint nach dem ersten Validierungsschritt.</translation>
    </message>
    <message>
        <location line="-348"/>
        <source>The run folder: job.json, log.jsonl, checkpoints, samples; `shiftsr-train --resume FOLDER` goes on with it from a terminal</source>
        <translation>Der Laufordner: job.json, log.jsonl, Checkpoints, Beispielbilder; `shiftsr-train --resume FOLDER` setzt den Lauf in einem Terminal fort</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>R&amp;un folder:</source>
        <translation>&amp;Laufordner:</translation>
    </message>
    <message>
        <location line="+87"/>
        <source>The run folder could not be prepared: %1</source>
        <translation>Der Laufordner konnte nicht vorbereitet werden: %1</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Cannot write the run&apos;s notes: %1</source>
        <translation>Die Notizen des Laufs können nicht geschrieben werden: %1</translation>
    </message>
    <message>
        <location line="+51"/>
        <source>The teacher&apos;s fine-tuning could not start: %1</source>
        <translation>Das Nachtraining des Lehrermodells konnte nicht starten: %1</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+133"/>
        <source>Training could not start: %1</source>
        <translation>Das Training konnte nicht starten: %1</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Cannot resume: %1</source>
        <translation>Fortsetzen nicht möglich: %1</translation>
    </message>
    <message>
        <location line="+58"/>
        <source>Validation at step %1: bicubic | %2 | ground truth</source>
        <translation>Validierung bei Schritt %1: bikubisch | %2 | Original</translation>
    </message>
    <message>
        <location line="-10"/>
        <source>fine-tuned teacher</source>
        <translation>nachtrainiertes Lehrermodell</translation>
    </message>
    <message>
        <location line="-191"/>
        <source>The run folder holds no YONOS-SR stage.</source>
        <translation>Der Laufordner enthält keine YONOS-SR-Phase.</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>The %1 stage could not start: %2</source>
        <translation>Die %1-Phase konnte nicht starten: %2</translation>
    </message>
    <message>
        <location line="+157"/>
        <source>one-step student</source>
        <translation>Ein-Schritt-Schülermodell</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Validation at step %1: reconstruction | photo</source>
        <translation>Validierung bei Schritt %1: Rekonstruktion | Foto</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>x2 teacher, one step</source>
        <translation>x2-Lehrermodell, ein Schritt</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>one-step student, fine-tuned decoder</source>
        <translation>Ein-Schritt-Schülermodell, nachtrainierter Decoder</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 min %2 s</source>
        <translation>%1 min %2 s</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Stage %1 of %2: %3</source>
        <translation>Phase %1 von %2: %3</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Stage 1 of 2: fine-tuning the teacher on your photos</source>
        <translation>Phase 1 von 2: Nachtraining des Lehrermodells mit Ihren Fotos</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stage 2 of 2: distilling the one-step student</source>
        <translation>Phase 2 von 2: Destillation des Ein-Schritt-Schülermodells</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>YONOS-SR</source>
        <translation>YONOS-SR</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Distilling the one-step student</source>
        <translation>Destillation des Ein-Schritt-Schülermodells</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Step %1 of %2</source>
        <translation>Schritt %1 von %2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Step %1</source>
        <translation>Schritt %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Elapsed %1</source>
        <translation>Vergangen %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 · about %2 left in this stage, about %3 in all</source>
        <translation>%1 · noch etwa %2 in dieser Phase, etwa %3 insgesamt</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 · about %2 left</source>
        <translation>%1 · noch etwa %2</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Starting…</source>
        <translation>Wird gestartet…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Stopping… the trainer finishes its step and writes a checkpoint.</source>
        <translation>Wird angehalten… Das Trainingsprogramm beendet den laufenden Schritt und schreibt einen Checkpoint.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Training…</source>
        <translation>Training läuft…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Stopped at step %1 of %2. Resume goes on from the last checkpoint.</source>
        <translation>Angehalten bei Schritt %1 von %2. „Fortsetzen“ macht beim letzten Checkpoint weiter.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Finished: the %1 stages took %2. Next installs the student and compares it with a multi-step model.</source>
        <translation>Fertig: Die %1 Phasen dauerten %2. „Weiter“ installiert das Schülermodell und vergleicht es mit einem Mehrschrittmodell.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The %1 stage is done.</source>
        <translation>Die %1-Phase ist abgeschlossen.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The teacher is fine-tuned.</source>
        <translation>Das Lehrermodell ist nachtrainiert.</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>Finished: %n step(s) in %1. Next installs the student and compares it with its teacher.</source>
        <translation>
            <numerusform>Fertig: %n Schritt in %1. „Weiter“ installiert das Schülermodell und vergleicht es mit seinem Lehrermodell.</numerusform>
            <numerusform>Fertig: %n Schritte in %1. „Weiter“ installiert das Schülermodell und vergleicht es mit seinem Lehrermodell.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The %1 stage stopped with an error (below); the stages after it wait. Resume goes on from its last checkpoint.</source>
        <translation>Die %1-Phase wurde mit einem Fehler beendet (siehe unten); die folgenden Phasen warten. „Fortsetzen“ macht bei ihrem letzten Checkpoint weiter.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The trainer stopped with an error (below). Resume goes on from the last checkpoint.</source>
        <translation>Das Trainingsprogramm wurde mit einem Fehler beendet (siehe unten). „Fortsetzen“ macht beim letzten Checkpoint weiter.</translation>
    </message>
</context>
<context>
    <name>shiftsr::gui::SaveOptionsDialog</name>
    <message>
        <location filename="../ui/src/gui/save_options_dialog.cpp" line="+42"/>
        <source>Save Result</source>
        <translation>Ergebnis speichern</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Save Options</source>
        <translation>Speicheroptionen</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Result:</source>
        <translation>Ergebnis:</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Next to the in&amp;put file</source>
        <translation>Neben der &amp;Eingabedatei</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>In this fol&amp;der:</source>
        <translation>In &amp;diesem Ordner:</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>&amp;Browse…</source>
        <translation>Du&amp;rchsuchen…</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Folder:</source>
        <translation>Ordner:</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Output Folder</source>
        <translation>Ausgabeordner</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Tokens: {name} input file name, {ext} extension, {scale}, {steps}, {model}, {seed}</source>
        <translation>Platzhalter: {name} Name der Eingabedatei, {ext} Dateiendung, {scale}, {steps}, {model}, {seed}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>File &amp;name:</source>
        <translation>Datei&amp;name:</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Same as the input</source>
        <translation>Wie Eingabe</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Same as the input (%1)</source>
        <translation>Wie Eingabe (%1)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Format:</source>
        <translation>&amp;Format:</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Quality of JPEG and WebP files</source>
        <translation>Qualität von JPEG- und WebP-Dateien</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Quality:</source>
        <translation>&amp;Qualität:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Ask again on every Save</source>
        <translation>Bei jedem Speichern erneut &amp;fragen</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Save follows this choice without asking; File ▸ Save Options… changes it. Save As… always asks for a file name, and Save never replaces another file without asking.</source>
        <translation>Speichern folgt dieser Wahl ohne Nachfrage; Datei ▸ Speicheroptionen… ändert sie. Speichern unter… fragt immer nach einem Dateinamen, und Speichern ersetzt nie ohne Nachfrage eine andere Datei.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>&amp;Save</source>
        <translation>&amp;Speichern</translation>
    </message>
    <message>
        <location line="+53"/>
        <source>Choose a folder, or save next to the input file.</source>
        <translation>Wählen Sie einen Ordner, oder speichern Sie neben der Eingabedatei.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This folder does not exist.</source>
        <translation>Dieser Ordner existiert nicht.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Saves as %1</source>
        <translation>Speichert als %1</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Example: %1</source>
        <translation>Beispiel: %1</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>PNG</source>
        <translation>PNG</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>JPEG</source>
        <translation>JPEG</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>TIFF</source>
        <translation>TIFF</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>WebP</source>
        <translation>WebP</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>BMP</source>
        <translation>BMP</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Save the selected result; the first time, asks where and how</source>
        <translation>Das ausgewählte Ergebnis speichern; beim ersten Mal wird gefragt, wohin und wie</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Save the selected result, asking where and how each time</source>
        <translation>Das ausgewählte Ergebnis speichern und jedes Mal fragen, wohin und wie</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>the input&apos;s format</source>
        <translation>das Format der Eingabe</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1, quality %2</source>
        <translation>%1, Qualität %2</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Save next to the input file as %1</source>
        <translation>Neben der Eingabedatei als %1 speichern</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save to %1 as %2</source>
        <translation>In %1 als %2 speichern</translation>
    </message>
</context>
<context>
    <name>shiftsr::gui::SettingsDialog</name>
    <message>
        <location filename="../ui/src/gui/settings_dialog.cpp" line="+37"/>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Models</source>
        <translation>Modelle</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Model Folder</source>
        <translation>Modellordner</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Model packages (*.safetensors) in this folder are listed next to the models built into ShiftSR.</source>
        <translation>Modellpakete (*.safetensors) in diesem Ordner werden neben den in ShiftSR integrierten Modellen aufgeführt.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Saving Results</source>
        <translation>Ergebnisse speichern</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Output Folder</source>
        <translation>Ausgabeordner</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Next to the input file</source>
        <translation>Neben der Eingabedatei</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Output folder:</source>
        <translation>&amp;Ausgabeordner:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Same as the input</source>
        <translation>Wie Eingabe</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>PNG</source>
        <translation>PNG</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>JPEG</source>
        <translation>JPEG</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>TIFF</source>
        <translation>TIFF</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>WebP</source>
        <translation>WebP</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>BMP</source>
        <translation>BMP</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Format:</source>
        <translation>&amp;Format:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Tokens: {name} input file name, {ext} extension, {scale}, {steps}, {model}, {seed}</source>
        <translation>Platzhalter: {name} Name der Eingabedatei, {ext} Dateiendung, {scale}, {steps}, {model}, {seed}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>File &amp;name:</source>
        <translation>Datei&amp;name:</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Quality of JPEG and WebP files</source>
        <translation>Qualität von JPEG- und WebP-Dateien</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Quality:</source>
        <translation>&amp;Qualität:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Copy the input&apos;s &amp;metadata (EXIF, IPTC, XMP, colour profile)</source>
        <translation>&amp;Metadaten der Eingabe übernehmen (EXIF, IPTC, XMP, Farbprofil)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Engine</source>
        <translation>Engine</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Automatic (CUDA when present)</source>
        <translation>Automatisch (CUDA, falls vorhanden)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>CUDA GPU</source>
        <translation>CUDA-GPU</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Device:</source>
        <translation>&amp;Gerät:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>fp32 (exact)</source>
        <translation>fp32 (exakt)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>bf16</source>
        <translation>bf16</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>fp16 (CUDA only)</source>
        <translation>fp16 (nur CUDA)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Automatic (bf16 where the processor has it)</source>
        <translation>Automatisch (bf16, wo der Prozessor es kann)</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Automatic</source>
        <translation>Automatisch</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Automatic (2 GB)</source>
        <translation>Automatisch (2 GB)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The most memory a run on the processor should take; the tiles are chosen to fit it. Raise it for slightly faster runs of large photos.</source>
        <translation>Höchstens so viel Speicher soll ein Lauf auf dem Prozessor belegen; die Kacheln werden passend gewählt. Ein höherer Wert macht große Fotos etwas schneller.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Wavelet (keeps the model&apos;s colour)</source>
        <translation>Wavelet (behält die Farbe des Modells)</translation>
    </message>
    <message>
        <location line="-38"/>
        <source>&amp;Precision:</source>
        <translation>&amp;Präzision:</translation>
    </message>
    <message>
        <location line="-50"/>
        <source>Model fo&amp;lder:</source>
        <translation>Modell&amp;ordner:</translation>
    </message>
    <message>
        <location line="+53"/>
        <source>All cores (%1)</source>
        <translation>Alle Kerne (%1)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>CPU &amp;threads:</source>
        <translation>CPU-&amp;Threads:</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Automatic (from the memory budget)</source>
        <translation>Automatisch (aus dem Speicherlimit)</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+10"/>
        <source> px</source>
        <translation> px</translation>
    </message>
    <message>
        <location line="-7"/>
        <source>Side of the input tiles the model sees at once; large photos are cut into overlapping tiles and blended without seams.</source>
        <translation>Seitenlänge der Eingabekacheln, die das Modell auf einmal verarbeitet; große Fotos werden in überlappende Kacheln zerlegt und nahtlos zusammengefügt.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>T&amp;ile:</source>
        <translation>&amp;Kachelgröße:</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>O&amp;verlap:</source>
        <translation>Ü&amp;berlappung:</translation>
    </message>
    <message>
        <location line="+5"/>
        <source> MB</source>
        <translation> MB</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Memor&amp;y limit:</source>
        <translation>Speicher&amp;limit:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Automatic (recommended): colour from the input for diffusion models, none for GAN models</source>
        <translation>Automatisch (empfohlen): Farbe aus der Eingabe bei Diffusionsmodellen, keine bei GAN-Modellen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Colour from the input</source>
        <translation>Farbe aus der Eingabe</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>AdaIN (mean and spread)</source>
        <translation>AdaIN (Mittelwert und Streuung)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>None</source>
        <translation>Keine</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Colour fix:</source>
        <translation>Fa&amp;rbkorrektur:</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Noise seed: the same seed gives the same result</source>
        <translation>Rausch-Seed: Derselbe Seed liefert dasselbe Ergebnis</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>S&amp;eed:</source>
        <translation>S&amp;eed:</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Example: %1</source>
        <translation>Beispiel: %1</translation>
    </message>
</context>
<context>
    <name>shiftsr::gui::ShortcutsDialog</name>
    <message>
        <location filename="../ui/src/gui/shortcuts_dialog.cpp" line="+45"/>
        <source>Keyboard Shortcuts</source>
        <translation>Tastenkürzel</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Shortcut</source>
        <translation>Tastenkürzel</translation>
    </message>
    <message>
        <location line="+84"/>
        <source>%1 › %2</source>
        <translation>%1 › %2</translation>
    </message>
    <message>
        <location line="+21"/>
        <location line="+2"/>
        <source>Other</source>
        <translation>Weitere</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Viewer (with the keyboard focus on the images)</source>
        <translation>Bildansicht (mit dem Tastaturfokus auf den Bildern)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Zoom about the mouse pointer</source>
        <translation>Um den Mauszeiger zoomen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Mouse wheel</source>
        <translation>Mausrad</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pan</source>
        <translation>Verschieben</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Drag with the left or middle button</source>
        <translation>Mit linker oder mittlerer Taste ziehen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Pan by a tenth of the view</source>
        <translation>Um ein Zehntel der Ansicht verschieben</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Zoom in</source>
        <translation>Vergrößern</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Zoom out</source>
        <translation>Verkleinern</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Fit to window</source>
        <translation>An Fenster anpassen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Actual pixels (1:1)</source>
        <translation>Originalgröße (1:1)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Double size (2:1)</source>
        <translation>Doppelte Größe (2:1)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Swap the compared images</source>
        <translation>Die verglichenen Bilder vertauschen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Move the split line (split view)</source>
        <translation>Trennlinie verschieben (geteilte Ansicht)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Drag the line</source>
        <translation>Die Linie ziehen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Region selection</source>
        <translation>Ausschnittauswahl</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Select a region on the input (at any time)</source>
        <translation>Einen Ausschnitt der Eingabe auswählen (jederzeit)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1+drag</source>
        <translation>%1+Ziehen</translation>
    </message>
</context>
<context>
    <name>shiftsr::gui::TeacherPage</name>
    <message>
        <location filename="../ui/src/gui/distil_pages_setup.cpp" line="+33"/>
        <source>Teacher</source>
        <translation>Lehrermodell</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+62"/>
        <source>The multi-step model whose results the one-step student learns to give in one step.</source>
        <translation>Das Mehrschrittmodell, dessen Ergebnisse das Ein-Schritt-Schülermodell in einem einzigen Schritt zu liefern lernt.</translation>
    </message>
    <message>
        <location line="-58"/>
        <source>Multi-step &amp;model:</source>
        <translation>&amp;Mehrschrittmodell:</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Provenance</source>
        <translation>Herkunft</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Name:</source>
        <translation>Name:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>sha256:</source>
        <translation>sha256:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Steps:</source>
        <translation>Schritte:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Trained from:</source>
        <translation>Trainiert aus:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Fine-&amp;tune the teacher on these photos first</source>
        <translation>Lehrermodell zuerst mit diesen Fotos &amp;nachtrainieren</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The teacher first learns your kind of photos, then teaches the student. This roughly doubles the time.</source>
        <translation>Das Lehrermodell lernt zuerst Ihre Art von Fotos kennen und lehrt dann das Schülermodell. Das verdoppelt ungefähr die Dauer.</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>The multi-step model the YONOS-SR student is compared with at the end (YONOS-SR trains a teacher of its own from your photos).</source>
        <translation>Das Mehrschrittmodell, mit dem das YONOS-SR-Schülermodell am Ende verglichen wird (YONOS-SR trainiert aus Ihren Fotos ein eigenes Lehrermodell).</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>%1 (embedded)</source>
        <translation>%1 (integriert)</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>No multi-step model is installed, and only a multi-step model can teach: install one with Tools → Models….</source>
        <translation>Es ist kein Mehrschrittmodell installiert, und nur ein Mehrschrittmodell kann lehren: Installieren Sie eines über Werkzeuge → Modelle….</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>(being computed)</source>
        <translation>(wird berechnet)</translation>
    </message>
    <message numerus="yes">
        <location line="+3"/>
        <source>%n step(s) by default</source>
        <translation>
            <numerusform>standardmäßig %n Schritt</numerusform>
            <numerusform>standardmäßig %n Schritte</numerusform>
        </translation>
    </message>
    <message>
        <location line="+6"/>
        <source>not recorded</source>
        <translation>nicht erfasst</translation>
    </message>
</context>
<context>
    <name>shiftsr::gui::TrainingCharts</name>
    <message>
        <location filename="../ui/src/gui/training_charts.cpp" line="+48"/>
        <source>Losses</source>
        <translation>Verluste</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Loss</source>
        <translation>Verlust</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Validation on the held-out photos</source>
        <translation>Validierung auf den zurückgehaltenen Fotos</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>SSIM-Y, sharpness</source>
        <translation>SSIM-Y, Schärfe</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>PSNR-Y (dB)</source>
        <translation>PSNR-Y (dB)</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Step</source>
        <translation>Schritt</translation>
    </message>
</context>
<context>
    <name>shiftsr::gui::TrainingRun</name>
    <message>
        <location filename="../ui/src/gui/training_run.cpp" line="+204"/>
        <source>The training program shiftsr-train was not found beside ShiftSR or on the PATH (set SHIFTSR_TRAIN to its path).</source>
        <translation>Das Trainingsprogramm shiftsr-train wurde weder neben ShiftSR noch im PATH gefunden (setzen Sie SHIFTSR_TRAIN auf seinen Pfad).</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Cannot start %1: %2</source>
        <translation>%1 kann nicht gestartet werden: %2</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>%1 holds no job.json.</source>
        <translation>%1 enthält keine job.json.</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>%1 already holds a training run.</source>
        <translation>%1 enthält bereits einen Trainingslauf.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The job is not valid JSON: %1</source>
        <translation>Der Auftrag ist kein gültiges JSON: %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Cannot create %1.</source>
        <translation>%1 kann nicht angelegt werden.</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+152"/>
        <location line="+5"/>
        <location line="+33"/>
        <source>Cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <location line="-225"/>
        <source>The run is still running.</source>
        <translation>Der Lauf läuft noch.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>There is nothing to resume in %1.</source>
        <translation>In %1 gibt es nichts fortzusetzen.</translation>
    </message>
    <message>
        <location line="+142"/>
        <source>The training process ended without a word (was the machine restarted?). Resume continues from the last checkpoint.</source>
        <translation>Der Trainingsprozess wurde ohne Meldung beendet (wurde der Rechner neu gestartet?). „Fortsetzen“ macht beim letzten Checkpoint weiter.</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Cannot copy %1 to %2.</source>
        <translation>%1 kann nicht nach %2 kopiert werden.</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>The training program shiftsr-train was not found.</source>
        <translation>Das Trainingsprogramm shiftsr-train wurde nicht gefunden.</translation>
    </message>
</context>
<context>
    <name>shiftsr::ui::CompareView</name>
    <message>
        <location filename="../ui/src/compare_view.cpp" line="+558"/>
        <source>No images to compare</source>
        <translation>Keine Bilder zum Vergleichen</translation>
    </message>
</context>
</TS>
